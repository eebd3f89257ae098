import type { Dispatcher } from 'undici';
import { describeFault } from '../errors/describe-fault.js';
import { isLoginError } from '../errors/login-error.js';
import { readCappedBody } from '../executor/read-capped-body.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { neverAborted, requestDeadline } from '../time/deadline.js';

/** How {@link fetchJsonDocument} fetches: through which pool, within what deadline and size. */
export interface DocumentFetch {
  /** The partner dispatcher (`createPartnerDispatcher`), so the host is held to the destination policy. */
  readonly dispatcher: Dispatcher;
  /** Deadline for connect, headers and body. */
  readonly timeoutMs: number;
}

/** Largest discovery document or key set accepted. */
export const maxProviderDocumentBytes = 1024 * 1024;

/**
 * GETs a JSON document an identity provider publishes (discovery metadata, a JWKS): no
 * redirects, one deadline, a size cap, status 200 only. Failures are `validator_unavailable`,
 * whose reason names `what` went wrong and never the document.
 */
export async function fetchJsonDocument(url: URL, what: string, fetch: DocumentFetch): Promise<unknown> {
  let text: Buffer;
  const limit = requestDeadline(neverAborted, fetch.timeoutMs);
  try {
    const { statusCode, body } = await fetch.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { accept: 'application/json' },
      headersTimeout: fetch.timeoutMs,
      bodyTimeout: fetch.timeoutMs,
      signal: limit.signal,
    });
    body.on('error', () => undefined);
    if (statusCode !== 200) {
      await body.dump().catch(() => undefined);
      throw validatorUnavailable(`${what} answered ${statusCode}`);
    }
    text = await readCappedBody(body, maxProviderDocumentBytes, () => validatorUnavailable(`${what} is larger than ${maxProviderDocumentBytes} bytes`));
  } catch (error) {
    throw isLoginError(error) ? error : validatorUnavailable(`${what} fetch failed: ${describeFault(error)}`, { cause: error });
  } finally {
    limit.dispose();
  }
  try {
    return JSON.parse(text.toString('utf8')) as unknown;
  } catch {
    throw validatorUnavailable(`${what} is not JSON`);
  }
}
