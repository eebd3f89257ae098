import type { Dispatcher } from 'undici';
import { hostAllowed } from '../config/allowed-hosts.js';
import { providerDocumentDefaults } from '../config/endpoint-url.js';
import type { CompiledIntrospectionCommand } from '../config/introspection-command-schema.js';
import { describeFault } from '../errors/describe-fault.js';
import { isLoginError } from '../errors/login-error.js';
import { readJsonAnswer } from '../executor/read-json-answer.js';
import { upstreamRetryAfter } from '../executor/retry-after.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { encodeQueryValue } from '../template/url-template.js';
import { systemClock, type Clock } from '../time/clock.js';
import { neverAborted, requestDeadline } from '../time/deadline.js';
import { notePartnerRequest, notePartnerStatus } from '../telemetry/telemetry.js';
import { createDiscovery, discoveredEndpoint, type ProviderMetadata } from './discovery.js';
import { judgeIntrospection, type IntrospectionVerdict } from './introspection-answer.js';
import type { RefreshingDocument } from './refreshing-document.js';

/** What {@link IntrospectionClient} calls through and with. */
export interface IntrospectionDependencies {
  /** The partner dispatcher: the destination policy holds for introspection and discovery alike. */
  readonly dispatcher: Dispatcher;
  /** The `http` options that apply unless the command sets its own. */
  readonly http: { readonly timeoutMs: number; readonly maxResponseBytes: number; readonly allowedHosts?: readonly string[] | undefined };
  /** The verification clock (`exp`, `nbf`). */
  readonly now: Clock;
}

/**
 * Asks authorization servers about tokens (RFC 7662): a form-encoded POST of `token` and
 * `token_type_hint` with the command's client authentication, to its `url` or to the
 * `introspection_endpoint` its issuer's discovery document names (fetched through the same
 * pool, cached like a JWKS). Only a 200 JSON answer counts; any other status — including 401,
 * which means the portal's own credentials were refused — is `validator_unavailable`, so an
 * outage or a misconfiguration never turns into "token invalid".
 */
export class IntrospectionClient {
  readonly #deps: IntrospectionDependencies;
  readonly #discoveries = new Map<string, RefreshingDocument<ProviderMetadata>>();

  constructor(deps: IntrospectionDependencies) {
    this.#deps = deps;
  }

  /** Introspects `token` and judges the answer by `command`'s policy. */
  async introspect(command: CompiledIntrospectionCommand, token: string): Promise<IntrospectionVerdict> {
    const endpoint = command.url ?? this.#onAppHosts(discoveredEndpoint(await this.#discovery(command).current(), 'introspection_endpoint'));
    const timeoutMs = command.timeoutMs ?? this.#deps.http.timeoutMs;
    let answer: unknown;
    const limit = requestDeadline(neverAborted, timeoutMs);
    notePartnerRequest('POST', endpoint.origin);
    try {
      const { statusCode, headers, body } = await this.#deps.dispatcher.request({
        origin: endpoint.origin,
        path: `${endpoint.pathname}${endpoint.search}`,
        method: 'POST',
        headers: command.headers,
        // Percent-encoded as a query value is: a form decoder reads it back unchanged.
        body: `token=${encodeQueryValue(token)}${command.formTail}`,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: limit.signal,
      });
      body.on('error', () => undefined);
      notePartnerStatus(statusCode);
      if (statusCode !== 200) {
        await body.dump({ limit: 16_384 }).catch(() => undefined);
        const retryAfterSeconds = upstreamRetryAfter(statusCode, headers['retry-after']);
        throw validatorUnavailable(`introspection endpoint answered ${statusCode}`, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
      }
      answer = await readJsonAnswer(body, headers['content-type'], headers['content-length'], this.#deps.http.maxResponseBytes);
    } catch (error) {
      throw isLoginError(error) ? error : validatorUnavailable(`introspection failed: ${describeFault(error)}`, { cause: error });
    } finally {
      limit.dispose();
    }
    return judgeIntrospection(answer, command, this.#deps.now());
  }

  /** A discovered endpoint, which a command's own `allowedHosts` may narrow but never widen past `http.allowedHosts`. */
  #onAppHosts(endpoint: URL): URL {
    const appHosts = this.#deps.http.allowedHosts;
    if (appHosts !== undefined && !hostAllowed(endpoint.href, appHosts)) throw validatorUnavailable('discovery document\'s introspection_endpoint is on a host off http.allowedHosts');
    return endpoint;
  }

  /** One discovery document per URL, issuer and host list, shared by the tenants that name it. */
  #discovery(command: CompiledIntrospectionCommand): RefreshingDocument<ProviderMetadata> {
    const allowedHosts = command.allowedHosts ?? this.#deps.http.allowedHosts;
    const key = JSON.stringify([command.discoveryUrl!.href, command.issuer, allowedHosts ?? null]);
    let discovery = this.#discoveries.get(key);
    if (discovery === undefined) {
      const settings = { cooldownMs: providerDocumentDefaults.cooldownMs, maxAgeMs: providerDocumentDefaults.maxAgeMs };
      const deps = { dispatcher: this.#deps.dispatcher, allowedHosts, timeoutMs: command.timeoutMs ?? this.#deps.http.timeoutMs, now: systemClock };
      discovery = createDiscovery(command.discoveryUrl!, [command.issuer!], settings, deps);
      this.#discoveries.set(key, discovery);
    }
    return discovery;
  }
}
