export { PostgresStore } from './store/postgres/postgres-store.js';
export type { PostgresStoreOptions, PostgresPool, PostgresClient } from './store/postgres/postgres-store-options.js';
export type { PostgresTables } from './store/postgres/postgres-tables.js';
