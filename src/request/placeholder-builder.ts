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
   * Values for `request` in `tenant`, with `values` (e.g. `{ authToken }`) added. A fresh
   * `requestId` is drawn only when `command` may use it (function commands might; templates say).
   */
  build(request: RequestInfo, tenant: string, values: Readonly<Record<string, string>>, command?: CompiledCommand): Placeholders {
    const needsRequestId = command === undefined || command.kind === 'function' || command.placeholders.includes('requestId');
    const placeholders: Record<string, string | undefined> = {
      ipAddress: request.ip,
      InvoiceNumber: readParameter(request, 'InvoiceNumber'),
      tenant,
      requestId: needsRequestId ? randomUUID() : undefined,
      ...values,
    };
    for (const [name, source] of this.#extras) placeholders[name] = source(request);
    return placeholders;
  }
}
