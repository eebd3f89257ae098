import type { ComposedStore, Store, StoreRole } from './store.js';

/** Every role of a store, in the order problems are reported. */
export const storeRoles: readonly StoreRole[] = ['ledger', 'sessions', 'apiTokens', 'rateLimits'];

/** The `store` option: a whole store, or roles taken from several. */
export type StoreOption = Store | ComposedStore;

/** Which roles every instance sees alike and which live in this process only. */
export interface StoreSharing {
  readonly shared: readonly StoreRole[];
  readonly local: readonly StoreRole[];
}

/** A role is shared when it says so, or when it came with a store that says so. */
export function storeSharing(store: StoreOption): StoreSharing {
  const storeShared = 'shared' in store && store.shared === true;
  const shared = storeRoles.filter((role) => store[role].shared ?? storeShared);
  return { shared, local: storeRoles.filter((role) => !shared.includes(role)) };
}
