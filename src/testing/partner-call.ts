import type { IncomingHttpHeaders } from 'node:http';

/** Which of the simulator's endpoints a call reached. */
export type PartnerEndpoint = 'LoginWithToken' | 'ValidateBearer' | 'introspection' | 'unknown';

/** A call exactly as it came, secrets and all (see {@link PartnerCall.raw}). */
export interface RawPartnerCall {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What stands in a call's fields for a secret. */
const redacted = '[redacted]';
/** Fields that carry a token or a client secret, in a JSON body or a form. */
const secretFields = ['token', 'client_secret'];

/**
 * One request the partner simulator received. Its fields are redacted, so however it is printed
 * — a test runner's diff, `node:assert`, `console.log`, `JSON.stringify` — it shows no secret:
 * the `authorization` header, the `token` and `client_secret` fields and every key and token
 * the simulator knows read `[redacted]`. `raw()` gives the call as it came, for assertions on
 * what a redacted field hides.
 */
export class PartnerCall {
  /** The request target, undecoded, redacted. */
  readonly path: string;
  /** The request headers as Node.js parsed them, redacted. */
  readonly headers: IncomingHttpHeaders;
  /** The request body as text, redacted. */
  readonly body: string;
  readonly #raw: RawPartnerCall;

  constructor(
    /** The endpoint the call reached. */
    readonly endpoint: PartnerEndpoint,
    /** The request method. */
    readonly method: string,
    raw: RawPartnerCall,
    /** Secrets the simulator knows (its key, the tokens it minted). */
    knownSecrets: Iterable<string>,
  ) {
    this.#raw = raw;
    const secrets = [...knownSecrets, ...fieldSecrets(raw.body)].filter((secret) => secret !== '').sort((a, b) => b.length - a.length);
    const hide = (text: string) => secrets.reduce((result, secret) => result.replaceAll(secret, redacted), text);
    this.path = hide(raw.path);
    this.body = hide(raw.body);
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(raw.headers)) {
      headers[name] = /authorization$/.test(name) ? redacted : Array.isArray(value) ? value.map(hide) : value === undefined ? value : hide(value);
    }
    this.headers = headers;
  }

  /** The call as it came, secrets included: for assertions, never for printing. */
  raw(): RawPartnerCall {
    return this.#raw;
  }

  /** One redacted line: `POST /login-with-token {"token":"[redacted]",…}`. */
  toString(): string {
    return `${this.method} ${this.path} ${this.body}`;
  }
}

/** The values of the secret fields of a JSON body or a form, in the spellings the body may hold them. */
function fieldSecrets(body: string): string[] {
  const values: string[] = [];
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object') {
      for (const field of secretFields) {
        const value = (parsed as Record<string, unknown>)[field];
        if (typeof value === 'string') values.push(value, JSON.stringify(value).slice(1, -1));
      }
    }
  } catch {
    const form = new URLSearchParams(body);
    for (const field of secretFields) {
      for (const value of form.getAll(field)) values.push(value, encodeURIComponent(value), new URLSearchParams({ [field]: value }).toString().slice(field.length + 1));
    }
  }
  return values;
}
