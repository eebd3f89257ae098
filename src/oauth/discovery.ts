import type { Dispatcher } from 'undici';
import { hostAllowed } from '../config/allowed-hosts.js';
import { endpointUrlProblem } from '../config/endpoint-url.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import type { Clock } from '../time/clock.js';
import { fetchJsonDocument } from './fetch-json-document.js';
import { refreshingDocument, type RefreshingDocument, type RefreshSettings } from './refreshing-document.js';

/** The endpoints of an identity provider's metadata the package uses. */
export type DiscoveredEndpoint = 'jwks_uri' | 'introspection_endpoint';

/** An identity provider's metadata, each endpoint checked against the destination policy. */
export interface ProviderMetadata {
  readonly issuer: string;
  /** Each endpoint the document names: its URL, or why it may not be called. */
  readonly endpoints: Readonly<Partial<Record<DiscoveredEndpoint, URL | { readonly refused: string }>>>;
}

/** How a discovery document is fetched and which hosts its endpoints may name. */
export interface DiscoveryDependencies {
  /** The partner dispatcher: private addresses stay refused unless `http.allowPrivateAddresses` allows them. */
  readonly dispatcher: Dispatcher;
  /** `allowedHosts` of the command or of `http`, which discovered endpoints must be on too. */
  readonly allowedHosts: readonly string[] | undefined;
  readonly timeoutMs: number;
  readonly now: Clock;
}

/**
 * An OpenID Connect discovery document, fetched through the partner pool and kept fresh like a
 * JWKS. Its `issuer` must be one of `issuers` exactly (else it describes another provider and
 * is refused); every endpoint it names must be https (http only for loopback) and on the
 * allowed hosts, or that endpoint is refused — a document cannot send our calls elsewhere.
 */
export function createDiscovery(url: URL, issuers: readonly string[], settings: RefreshSettings, deps: DiscoveryDependencies): RefreshingDocument<ProviderMetadata> {
  const load = async (): Promise<ProviderMetadata> => {
    const document = await fetchJsonDocument(url, 'discovery document', { dispatcher: deps.dispatcher, timeoutMs: deps.timeoutMs });
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw validatorUnavailable('discovery document is not an object');
    const fields = document as Record<string, unknown>;
    if (typeof fields['issuer'] !== 'string' || !issuers.includes(fields['issuer'])) throw validatorUnavailable('discovery document names another issuer');
    const endpoints: Partial<Record<DiscoveredEndpoint, URL | { refused: string }>> = {};
    for (const name of ['jwks_uri', 'introspection_endpoint'] as const) {
      const value = fields[name];
      if (value !== undefined) endpoints[name] = checkedEndpoint(value, deps.allowedHosts);
    }
    return { issuer: fields['issuer'], endpoints };
  };
  return refreshingDocument('discovery document', load, settings, deps.now);
}

/**
 * The URL of `name` in `metadata`.
 * @throws LoginError `validator_unavailable` when the document lacks it or it was refused.
 */
export function discoveredEndpoint(metadata: ProviderMetadata, name: DiscoveredEndpoint): URL {
  const endpoint = metadata.endpoints[name];
  if (endpoint === undefined) throw validatorUnavailable(`discovery document has no ${name}`);
  if (!(endpoint instanceof URL)) throw validatorUnavailable(`discovery document's ${name} ${endpoint.refused}`);
  return endpoint;
}

function checkedEndpoint(value: unknown, allowedHosts: readonly string[] | undefined): URL | { refused: string } {
  if (typeof value !== 'string') return { refused: 'is not a string' };
  const problem = endpointUrlProblem(value);
  if (problem !== undefined) return { refused: problem };
  if (allowedHosts !== undefined && !hostAllowed(value, allowedHosts)) return { refused: 'is on a host off allowedHosts' };
  return new URL(value);
}
