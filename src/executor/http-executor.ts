import type { Dispatcher } from 'undici';
import { httpOptionsSchema, type HttpOptions, type ParsedHttpOptions } from '../destination/http-options.js';
import { createPartnerDispatcher } from '../destination/partner-dispatcher.js';
import { validateOptions } from '../config/validate-options.js';
import { isLoginError } from '../errors/login-error.js';
import type { CompiledHttpCommand } from '../config/command-schema.js';
import type { Placeholders } from '../template/template-parts.js';
import type { Command, CommandExecutor } from './command-executor.js';
import { readJsonAnswer } from './read-json-answer.js';
import { describeFault } from '../errors/describe-fault.js';
import { requestDeadline, type RequestSignal } from '../time/deadline.js';
import { validatorUnavailable } from './validator-unavailable.js';
import { upstreamRetryAfter } from './retry-after.js';
import { notePartnerRequest, notePartnerStatus } from '../telemetry/telemetry.js';

/** Partner statuses that mean "this token or credential is not valid". */
const rejectionStatuses = new Set([400, 401, 403, 404, 410, 422]);

/**
 * The executor of HTTP commands: sends them through one pooled, keep-alive undici dispatcher
 * (the partner pool, or the one given as `dispatcher` — which `close()` then leaves open).
 * Redirects are never followed, every exchange has a deadline and a size cap, the answer must be
 * JSON, and the connection may only go to a public address unless private ones are allowed.
 * Options are the `http` options ({@link HttpOptions}) but `allowedHosts`, which the factory checks
 * on the commands themselves (set it as `http.allowedHosts` there, whatever the executor); they
 * are checked here like the factory checks its own.
 *
 * @example
 * ```ts
 * const executor = createHttpExecutor({ timeoutMs: 2000, allowPrivateAddresses: ['10.0.4.0/24'] });
 * createLoginWithToken({ executor, … });
 * ```
 */
export function createHttpExecutor(options: HttpExecutorOptions = {}): CommandExecutor {
  return httpExecutor(validateOptions(httpExecutorOptionsSchema, options, 'createHttpExecutor'));
}

/** Options of {@link createHttpExecutor}: the `http` options but `allowedHosts`. */
export type HttpExecutorOptions = Omit<HttpOptions, 'allowedHosts'>;

// An `allowedHosts` here would look like a pin on the hosts while nothing applied it: refused.
const httpExecutorOptionsSchema = httpOptionsSchema.omit({ allowedHosts: true });

/** {@link createHttpExecutor} for `http` options the factory has validated already. */
export function httpExecutor(http: ParsedHttpOptions): CommandExecutor {
  const partner = createPartnerDispatcher(http);
  const dispatcher = partner.dispatcher;

  async function run(command: Command, placeholders: Placeholders, signal: AbortSignal): Promise<unknown> {
    const definition = command.definition;
    if (definition.kind !== 'http') throw new TypeError(`command ${command.name} is not an HTTP command`);
    const budgetMs = definition.timeoutMs ?? http.timeoutMs;
    const limit = requestDeadline(signal, budgetMs);
    try {
      return await exchange(buildRequest(definition, placeholders, limit.signal, budgetMs), definition.maxResponseBytes ?? http.maxResponseBytes);
    } finally {
      limit.dispose();
    }
  }

  /** One request and its answer, within the request's deadline. */
  async function exchange(request: PartnerRequest, maxBytes: number): Promise<unknown> {
    let response: Dispatcher.ResponseData;
    notePartnerRequest(request.method, request.origin);
    try {
      response = await dispatcher.request(request);
    } catch (error) {
      throw validatorUnavailable(`partner request failed: ${describeFault(error)}`, { cause: error });
    }
    const { statusCode, headers, body } = response;
    notePartnerStatus(statusCode);
    // undici destroys the body with an AbortError on abort or destroy(); without a listener that
    // error would be uncaught and end the process. Readers still see it through iteration.
    body.on('error', ignore);
    if (statusCode >= 200 && statusCode < 300) {
      try {
        return await readJsonAnswer(body, headers['content-type'], headers['content-length'], maxBytes);
      } catch (error) {
        if (isLoginError(error)) throw error;
        throw validatorUnavailable(`reading the partner answer failed: ${describeFault(error)}`, { cause: error });
      }
    }
    // Reading a small error body lets the pooled connection be reused; a large one is dropped.
    // The request's signal stays armed until the body ends: at the deadline undici destroys it.
    await body.dump({ limit: 16_384 }).catch(() => undefined);
    if (rejectionStatuses.has(statusCode)) return null;
    const retryAfterSeconds = upstreamRetryAfter(statusCode, headers['retry-after']);
    throw validatorUnavailable(`partner answered ${statusCode}`, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
  }

  return {
    run,
    close: () => partner.close(),
  };
}

function ignore(): void {}

/** The undici options of one partner request. */
interface PartnerRequest {
  readonly origin: string;
  readonly path: string;
  readonly method: CompiledHttpCommand['method'];
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: RequestSignal;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
}

/**
 * The request for `definition` with `placeholders` filled in, bounded by `signal` and `budgetMs`.
 * Built as one object literal: undici reads its options field by field on every request, and a
 * copy made by spreading (`{ ...request, signal }`) cost 20–40 µs more per partner call
 * (`npm run bench:exchange`).
 */
function buildRequest(definition: CompiledHttpCommand, placeholders: Placeholders, signal: RequestSignal, budgetMs: number): PartnerRequest {
  const headers = definition.headers.render(placeholders);
  if (!definition.headers.names.has('accept')) headers['accept'] = 'application/json';
  let body: string | undefined;
  if (definition.body !== undefined) {
    body = definition.body.render(placeholders);
    if (!definition.headers.names.has('content-type')) headers['content-type'] = definition.body.contentType;
  }
  return {
    origin: definition.url.origin,
    path: definition.url.renderPath(placeholders),
    method: definition.method,
    headers,
    body,
    signal,
    headersTimeout: budgetMs,
    bodyTimeout: budgetMs,
  };
}
