import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractBearerToken } from '../src/bearer/extract-bearer-token.js';
import { describeBodyIssues } from '../src/config/describe-issues.js';
import { tokenRequestSchema } from '../src/credentials/token-request.js';
import { LoginError } from '../src/errors/login-error.js';
import { safeReturnTo } from '../src/handoff/safe-return-to.js';
import { parseIdentityAnswer } from '../src/identity/parse-identity.js';
import { readPath } from '../src/identity/read-path.js';
import { logonRequestSchema } from '../src/logon/logon-request.js';
import type { RequestInfo } from '../src/request/request-info.js';
import { compileBodyTemplate } from '../src/template/body-template.js';
import { compileHeaderTemplate } from '../src/template/header-template.js';
import { compileUrlTemplate } from '../src/template/url-template.js';

// Values an attacker would try, mixed into arbitrary text so the search reaches them often.
const hostile = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('/', '\\', '.', '%', '2', 'e', 'f', 'F', '5', 'c', '#', '?', '&', '=', '"', '\r', '\n', '@', ':', ' ', '\t', '{', '}', 'a') }),
);

/** Renders, or accepts only the one refusal a template may give. */
function renderOrRefuse(render: () => string): string | undefined {
  try {
    return render();
  } catch (error) {
    expect(error).toBeInstanceOf(LoginError);
    expect((error as LoginError).code).toBe('invalid_request');
    return undefined;
  }
}

describe('template rendering never lets a placeholder change structure', () => {
  const url = compileUrlTemplate('https://partner.example:8443/validate/{authToken}/check?t={authToken}&k=v');
  const json = compileBodyTemplate('{"token":"{authToken}","list":["x{authToken}",1]}');
  const form = compileBodyTemplate('token={authToken}&fixed=1');
  const headers = compileHeaderTemplate({ 'x-token': 'Bearer {authToken}' });

  it('in URL paths and queries', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        expect(url.origin).toBe('https://partner.example:8443');
        const rendered = renderOrRefuse(() => url.renderPath({ authToken: value }));
        if (rendered === undefined) return;
        const [path, query, ...rest] = rendered.split('?');
        expect(rest).toEqual([]);
        const segments = path!.split('/');
        expect(segments).toHaveLength(4);
        expect([segments[1], segments[3]]).toEqual(['validate', 'check']);
        expect(decodeURIComponent(segments[2]!)).toBe(value);
        expect(segments[2]).not.toMatch(/^\.{1,2}$/);
        expect([...new URLSearchParams(query)]).toEqual([['t', value], ['k', 'v']]);
        expect(rendered).not.toMatch(/[#\s]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('in JSON bodies', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const rendered = renderOrRefuse(() => json.render({ authToken: value }));
        if (rendered !== undefined) expect(JSON.parse(rendered)).toEqual({ token: value, list: [`x${value}`, 1] });
      }),
      { numRuns: 2000 },
    );
  });

  it('in form bodies', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const rendered = renderOrRefuse(() => form.render({ authToken: value }));
        if (rendered !== undefined) expect([...new URLSearchParams(rendered)]).toEqual([['token', value], ['fixed', '1']]);
      }),
      { numRuns: 2000 },
    );
  });

  it('in headers', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const rendered = renderOrRefuse(() => headers.render({ authToken: value })['x-token']!);
        if (rendered !== undefined) {
          expect(rendered).toBe(`Bearer ${value}`);
          expect(rendered).not.toMatch(/[\r\n,;"\\]/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('returnTo validation never accepts an off-site target', () => {
  const base = 'https://portal.example/some/page';
  // Paths assembled from the pieces open redirects are made of: slashes, dot segments and their encodings.
  const pathish = fc
    .array(fc.constantFrom('/', '.', '..', '%2e', '%2f', '%5c', '\\', 'evil.com', '\t'), { minLength: 1, maxLength: 7 })
    .map((parts) => `/${parts.join('')}`);

  it('for arbitrary and crafted input', () => {
    fc.assert(
      fc.property(fc.oneof({ arbitrary: pathish, weight: 3 }, hostile, hostile.map((value) => `/${value}`), hostile.map((value) => `//${value}`)), (value) => {
        const target = safeReturnTo(value, '/fallback');
        if (target === '/fallback') return;
        expect(target.startsWith('/')).toBe(true);
        expect(target.startsWith('//')).toBe(false);
        expect(target).not.toMatch(/[\\\x00-\x1f\x7f]/);
        expect(new URL(target, base).origin).toBe('https://portal.example');
        // What a browser would do with the Location: resolve it against the current page.
        expect(new URL(target.replace(/[\t\n\r]/g, ''), base).host).toBe('portal.example');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parsers never throw on arbitrary input', () => {
  it('bearer token extraction', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'HEAD'), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (method, authorization, contentType, query, body) => {
        const request = {
          method,
          headers: { authorization, 'content-type': contentType },
          query: (query ?? {}) as Record<string, unknown>,
          body,
          ip: '127.0.0.1',
          rawHeaders: typeof authorization === 'string' ? ['Authorization', authorization] : [],
        } as unknown as RequestInfo;
        expect(() => extractBearerToken(request, true)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('partner answers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue()), fc.constantFrom('ContactId', 'data.id', '__proto__.x', 'constructor.name'), (answer, path) => {
        expect(() => parseIdentityAnswer(answer, { contactId: path, contactEmail: 'ContactEmail' }, 'bearer')).not.toThrow();
        expect(() => readPath(answer, path)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('token and logon requests', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue()), (body) => {
        const token = tokenRequestSchema.safeParse(body);
        if (!token.success) expect(() => describeBodyIssues(token.error, body)).not.toThrow();
        expect(() => logonRequestSchema.safeParse(body)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});
