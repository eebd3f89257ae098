import type { Request } from 'express';
import type { RequestInfo } from '../request/request-info.js';

/** The plain request view the core works on. */
export function toRequestInfo(req: Request): RequestInfo {
  return {
    method: req.method,
    headers: req.headers,
    query: (req.query ?? {}) as Record<string, unknown>,
    body: req.body as unknown,
    ip: req.ip ?? req.socket.remoteAddress ?? '',
    rawHeaders: req.rawHeaders,
  };
}
