import { randomUUID } from 'node:crypto';
import type { CompiledCommand } from '../config/command-schema.js';
import type { Placeholders } from '../template/template-parts.js';
import { readParameter, type RequestInfo } from './request-info.js';

/**
 * The placeholders the package fills: the handoff's (`authToken`, `InvoiceNumber`), every
 * request's (`ipAddress`, `tenant`, `requestId`), `ValidateBearer`'s (`bearerToken`) and the
 * credential commands' (`username`, `password`, `organisation`, `unit`, `authenticationCode`,
 * `identifier`, `passCode`). Apps may declare more.
 */
export const builtInPlaceholders = [
  'authToken',
  'ipAddress',
  'InvoiceNumber',
  'tenant',
  'requestId',
  'bearerToken',
  'username',
  'password',
  'organisation',
  'unit',
  'authenticationCode',
  'identifier',
  'passCode',
] as const;

/** An app-defined placeholder: computes its value from the request. */
export type PlaceholderSource = (request: RequestInfo) => string | undefined;

/**
 * Builds the placeholder values for one command run: the built-ins (`authToken`, `ipAddress`,
 * `InvoiceNumber`, `tenant`, `requestId`), the flow's own values, and the app's extras.
 */
export class PlaceholderBuilder {
  readonly #extras: readonly (readonly [string, PlaceholderSource])[];

  constructor(extras: Readonly<Record<string, PlaceholderSource>> = {}) {
    this.#extras = Object.entries(extras);
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
