import { randomUUID } from 'node:crypto';
import type { CompiledCommand } from '../config/command-schema.js';
import type { Placeholders } from '../template/template-parts.js';
import { readParameter, type RequestInfo } from './request-info.js';

/** An app-defined placeholder: computes its value from the request. */
export type PlaceholderSource = (request: RequestInfo) => string | undefined;

/**
 * Builds the placeholder values for one command run: the built-ins (`authToken`, `ipAddress`,
 * `InvoiceNumber`, `tenant`, `requestId`), the flow's own values, and the app's extras.
 */
export class PlaceholderBuilder {
  readonly #extras: readonly (readonly [string, PlaceholderSource])[];

  /** `placeholders` are the app's own, by name. */
  constructor(options: { readonly placeholders: Readonly<Record<string, PlaceholderSource>> }) {
    this.#extras = Object.entries(options.placeholders);
  }

  /**
   * The values of the request-derived placeholders among `names` (`ipAddress`, `InvoiceNumber`
   * and the app's own), in order; other names are skipped.
   */
  requestValues(request: RequestInfo, names: readonly string[]): string[] {
    const values: string[] = [];
    for (const name of names) {
      if (name === 'ipAddress') values.push(request.ip);
      else if (name === 'InvoiceNumber') values.push(readParameter(request, 'InvoiceNumber') ?? '');
      else {
        const source = this.#extras.find(([extra]) => extra === name)?.[1];
        if (source !== undefined) values.push(source(request) ?? '');
      }
    }
    return values;
  }

  /**
   * Values for `request` in `tenant`, with `values` (e.g. `{ authToken }`) added; the app's own
   * win over both, `values` over the built-ins. An HTTP template names the placeholders it uses,
   * and only those are computed — a fresh `requestId`, the query string, the client address, the
   * app's functions; a function command gets them all.
   */
  build(request: RequestInfo, tenant: string, values: Readonly<Record<string, string>>, command?: CompiledCommand): Placeholders {
    const placeholders: Record<string, string | undefined> = {};
    const names = command?.kind === 'http' ? command.placeholders : [...builtIns, ...Object.keys(values), ...this.#extras.map(([name]) => name)];
    for (const name of names) if (!Object.hasOwn(placeholders, name)) placeholders[name] = this.#value(name, request, tenant, values);
    return placeholders;
  }

  #value(name: string, request: RequestInfo, tenant: string, values: Readonly<Record<string, string>>): string | undefined {
    const source = this.#extras.find(([extra]) => extra === name)?.[1];
    if (source !== undefined) return source(request);
    if (Object.hasOwn(values, name)) return values[name];
    if (name === 'ipAddress') return request.ip;
    if (name === 'InvoiceNumber') return readParameter(request, 'InvoiceNumber');
    if (name === 'tenant') return tenant;
    if (name === 'requestId') return randomUUID();
    return undefined;
  }
}

/** The placeholders every command may use. */
const builtIns = ['ipAddress', 'InvoiceNumber', 'tenant', 'requestId'] as const;
