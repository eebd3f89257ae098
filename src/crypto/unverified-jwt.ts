/** What a compact JWS says of itself before anything is verified: never trust it, only route by it. */
export interface UnverifiedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  /** The claims, when the payload is a JSON object. */
  readonly claims: Readonly<Record<string, unknown>> | undefined;
}

let lastToken: string | undefined;
let lastRead: UnverifiedJwt | undefined;

/**
 * The header and claims of a compact JWS (three base64url parts), read without verifying
 * anything, or undefined when `token` is none. Bearer authentication asks this of the same
 * token several times — is it ours, which profile's issuer, which algorithm — so the last
 * token read is kept — a pure function of the string, handed out frozen.
 */
export function readUnverifiedJwt(token: string): UnverifiedJwt | undefined {
  if (token === lastToken) return lastRead;
  const read = decode(token);
  lastToken = token;
  lastRead = read;
  return read;
}

function decode(token: string): UnverifiedJwt | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 1 || second < 0 || token.indexOf('.', second + 1) >= 0) return undefined;
  const header = jsonObject(token.slice(0, first));
  if (header === undefined) return undefined;
  return Object.freeze({ header, claims: jsonObject(token.slice(first + 1, second)) });
}

function jsonObject(part: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.freeze(value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
