import type { IncomingHttpHeaders } from 'node:http';

/**
 * The parts of an HTTP request the core reads. Adapters build it from Express's `req`; the
 * core never sees Express.
 */
export interface RequestInfo {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed query string (values may be strings, arrays or objects). */
  readonly query: Readonly<Record<string, unknown>>;
  /** Parsed body, `undefined` when there is none. */
  readonly body: unknown;
  /** Client address as the app's `trust proxy` setting decides (`req.ip`). */
  readonly ip: string;
  /** Header names and values as received, duplicates included (Node keeps only the first `Authorization`). */
  readonly rawHeaders?: readonly string[];
}

/**
 * A single string parameter from the query or, for non-GET requests, the body. Arrays, objects
 * and strings with lone surrogates (which no encoder can represent) read as absent.
 */
export function readParameter(request: RequestInfo, name: string): string | undefined {
  const fromQuery = request.query[name];
  if (typeof fromQuery === 'string') return wellFormed(fromQuery);
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const body = request.body;
  if (body !== null && typeof body === 'object' && Object.hasOwn(body, name)) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === 'string') return wellFormed(value);
  }
  return undefined;
}

function wellFormed(value: string): string | undefined {
  return value.isWellFormed() ? value : undefined;
}
