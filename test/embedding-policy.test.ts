import { describe, expect, it } from 'vitest';
import { embeddingOptionsSchema, frameAncestorsSchema } from '../src/embedding/embedding-options.js';
import { EmbeddingPolicy } from '../src/embedding/embedding-policy.js';

const embedding = embeddingOptionsSchema.parse({ frameAncestors: ['https://partner.example'], cookie: { sameSite: 'lax' } });
const policy = new EmbeddingPolicy({
  embedding,
  tenants: {
    acme: { frameAncestors: frameAncestorsSchema.parse(['https://acme-partner.example', 'https://*.acme.example']) },
    closed: { frameAncestors: [] },
    globex: {},
    initech: { frameAncestors: undefined },
  },
});

describe('EmbeddingPolicy', () => {
  it('lets a tenant’s own frameAncestors win over embedding.frameAncestors', () => {
    expect(policy.frameAncestors('acme')).toEqual(['https://acme-partner.example', 'https://*.acme.example']);
  });

  it('uses embedding.frameAncestors for a tenant without its own list', () => {
    expect(policy.frameAncestors('globex')).toEqual(['https://partner.example']);
    expect(policy.frameAncestors('initech')).toEqual(['https://partner.example']);
  });

  it('keeps a tenant’s empty list, so nobody may frame that tenant', () => {
    expect(policy.frameAncestors('closed')).toEqual([]);
  });

  it.each(['', 'unknown', '__proto__', 'constructor', 'toString'])('never hands tenant %j another tenant’s list', (tenant) => {
    expect(policy.frameAncestors(tenant)).toEqual(['https://partner.example']);
  });

  it('gives embedded sessions the cookie of embedding.cookie', () => {
    expect(policy.cookie).toEqual({ sameSite: 'lax', secure: true, partitioned: true });
  });
});
