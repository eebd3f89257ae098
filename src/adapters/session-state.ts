import type { Request } from 'express';

interface SessionRequest {
  session?: Record<string, unknown>;
}

/** The package's own slot in the session. */
export interface SessionState {
  /** Whether the portal should render without header and navigation (`noChrome=true`). */
  noChrome?: boolean;
  /** Whether the session began inside an iframe: its pages carry the tenant's frame policy. */
  embedded?: boolean;
  /** The tenant the handoff was for. */
  tenant?: string;
}

/** Where {@link SessionState} lives in `req.session`. */
const sessionSlot = 'loginWithToken';

/** Reads the package's slot in the session. */
export function readSessionState(req: Request): SessionState | undefined {
  const value = (req as unknown as SessionRequest).session?.[sessionSlot];
  return typeof value === 'object' && value !== null ? (value as SessionState) : undefined;
}

/** Writes the package's slot in the session. */
export function writeSessionState(req: Request, state: SessionState): void {
  const session = (req as unknown as SessionRequest).session;
  if (session) session[sessionSlot] = state;
}
