import type { Request } from 'express';
import type { RequestInfo } from '../request/request-info.js';

/**
 * The plain request view the core works on. `query` and `ip` are read from Express only when the
 * core asks for them (Express 5 parses the query string anew on every read, and `req.ip` walks
 * the `trust proxy` rules), which the bearer hot path mostly never does.
 */
class ExpressRequestInfo implements RequestInfo {
  readonly method: string;
  readonly headers: Request['headers'];
  readonly body: unknown;
  readonly rawHeaders: readonly string[];
  readonly #req: Request;
  #query: Record<string, unknown> | undefined;
  #ip: string | undefined;

  constructor(req: Request) {
    this.#req = req;
    this.method = req.method;
    this.headers = req.headers;
    this.body = req.body as unknown;
    this.rawHeaders = req.rawHeaders;
  }

  get query(): Record<string, unknown> {
    return (this.#query ??= (this.#req.query ?? {}) as Record<string, unknown>);
  }

  get ip(): string {
    return (this.#ip ??= this.#req.ip ?? this.#req.socket.remoteAddress ?? '');
  }
}

/** The plain request view the core works on. */
export function toRequestInfo(req: Request): RequestInfo {
  return new ExpressRequestInfo(req);
}
