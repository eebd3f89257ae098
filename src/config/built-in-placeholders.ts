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
