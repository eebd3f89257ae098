import type { ParsedEmbeddingOptions } from './embedding-options.js';

/** What {@link EmbeddingPolicy} reads: `embedding`, and each tenant's own `frameAncestors`. */
export interface EmbeddingPolicyOptions {
  readonly embedding: ParsedEmbeddingOptions;
  readonly tenants: Readonly<Record<string, { readonly frameAncestors?: readonly string[] | undefined }>>;
}

/**
 * Who may frame the portal after an embedded handoff, per tenant (`tenants.<name>.frameAncestors`,
 * else `embedding.frameAncestors`), and how the embedded session cookie must look (`embedding.cookie`).
 */
export class EmbeddingPolicy {
  /** Session cookie attributes of embedded sessions. */
  readonly cookie: ParsedEmbeddingOptions['cookie'];
  readonly #options: EmbeddingPolicyOptions;

  constructor(options: EmbeddingPolicyOptions) {
    this.#options = options;
    this.cookie = options.embedding.cookie;
  }

  /** Origins allowed to frame the portal for `tenant` (empty: nobody). */
  frameAncestors(tenant: string): readonly string[] {
    return this.#options.tenants[tenant]?.frameAncestors ?? this.#options.embedding.frameAncestors;
  }
}
