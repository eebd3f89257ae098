import type { OneTimeLedger } from './one-time-ledger.js';

/**
 * Everything the package keeps between requests, by role. The in-memory store is the embedded
 * default; run several instances on a shared store.
 */
export interface Store {
  /** One-time token ledger for the handoff. */
  readonly ledger: OneTimeLedger;
  /** Stops timers and closes connections the store owns. */
  close(): Promise<void>;
}
