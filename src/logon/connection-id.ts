const connectionIdShape = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for strings shaped like a `ConnectionId` (a UUID v4, in any case). */
export function isConnectionId(token: string): boolean {
  // The length first: any other bearer token (a JWT of a kilobyte) would be lower-cased in full.
  return token.length === 36 && connectionIdShape.test(token.toLowerCase());
}
