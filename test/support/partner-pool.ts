import { validateOptions } from '../../src/config/validate-options.js';
import { httpOptionsSchema, type HttpOptions } from '../../src/destination/http-options.js';
import { createPartnerDispatcher, type PartnerDispatcher } from '../../src/destination/partner-dispatcher.js';

/** The partner pool the factory would build from these `http` options. */
export function partnerPool(http: HttpOptions = {}): PartnerDispatcher {
  return createPartnerDispatcher(validateOptions(httpOptionsSchema, http, 'http'));
}
