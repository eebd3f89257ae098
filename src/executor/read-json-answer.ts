import type { Readable } from 'node:stream';
import { readCappedBody } from './read-capped-body.js';
import { validatorUnavailable } from './validator-unavailable.js';

const jsonContentType = /^(application\/([\w.+-]+\+)?json|text\/json|text\/plain)\s*(;|$)/i;

/**
 * Reads a partner's 2xx answer: at most `maxBytes`, a JSON (or plain-text JSON) content type
 * when one is given, and valid JSON. Anything else is `validator_unavailable`.
 */
export function readJsonAnswer(
  body: Readable,
  contentType: string | string[] | undefined,
  contentLength: string | string[] | undefined,
  maxBytes: number,
): Promise<unknown> {
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (type !== undefined && !jsonContentType.test(type)) {
    body.destroy();
    return Promise.reject(validatorUnavailable('partner answered a non-JSON content type'));
  }
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    return Promise.reject(validatorUnavailable('partner answer is larger than the size cap'));
  }
  // A declared length within the cap cannot grow (the parser enforces it): read it in one go.
  if (Number.isFinite(declared) && typeof (body as { text?: unknown }).text === 'function') {
    return (body as unknown as { text(): Promise<string> }).text().then(parseJson);
  }
  return readCappedBody(body, maxBytes, () => validatorUnavailable('partner answer is larger than the size cap')).then((text) => parseJson(text.toString('utf8')));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validatorUnavailable('partner answered invalid JSON');
  }
}
