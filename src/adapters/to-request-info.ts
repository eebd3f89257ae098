import type { Request } from 'express';
import type { RequestInfo } from '../request/request-info.js';

/**
 * The plain request view the core works on. `query`, `ip` and `body` are read from Express only
 * when the core asks for them (Express 5 parses the query string anew on every read, `req.ip`
 * walks the `trust proxy` rules, and `req.body` is looked up along the prototype chain when no
 * parser set it), which the bearer hot path mostly never does.
 */
class ExpressRequestInfo implements RequestInfo {
  readonly method: string;
  readonly headers: Request['headers'];
  readonly rawHeaders: readonly string[];
  readonly #req: Request;
  #query: Record<string, unknown> | undefined;
  #ip: string | undefined;

  constructor(req: Request) {
    this.#req = req;
    this.method = req.method;
    this.headers = req.headers;
    this.rawHeaders = req.rawHeaders;
  }

  get query(): Record<string, unknown> {
    return (this.#query ??= (this.#req.query ?? {}) as Record<string, unknown>);
  }

  get body(): unknown {
    return this.#req.body as unknown;
  }

  get ip(): string {
    return (this.#ip ??= this.#req.ip ?? this.#req.socket.remoteAddress ?? '');
  }
}

/** The plain request view the core works on. */
export function toRequestInfo(req: Request): RequestInfo {
  return new ExpressRequestInfo(req);
}
