// Fills a MemoryStore with entries shaped exactly as the flows create them, using the package's
// own key and identity builders (internal, so from the build): bench:memory and bench:scale.
import { storeKeys } from '../dist/store/store-keys.js';
import { toSessionIdentity } from '../dist/identity/identity.js';

/** `count` used one-time tokens, each remembered `rememberMs`, redeemed as a handoff does. */
export async function fillLedger(store, count, rememberMs) {
  for (let i = 0; i < count; i++) {
    const key = storeKeys.authToken(`t-${i}`);
    const reservation = await store.ledger.reserve(key, 60_000);
    if (reservation.status !== 'reserved' || !(await store.ledger.consume(key, reservation.id, rememberMs))) throw new Error(`ledger refused entry ${i}`);
  }
}

/** `count` session tokens of as many users, created at `createdAt` and ending at `expiresAt`. */
export async function fillSessions(store, count, { createdAt, expiresAt }) {
  for (let i = 0; i < count; i++) {
    await store.sessions.create(storeKeys.sessionToken(`lwts_${i}`), {
      kind: 'session-token',
      tenant: 'default',
      userId: `u-${i}`,
      identity: toSessionIdentity({ contactId: String(i), tokenType: 'credentials' }),
      createdAt,
      expiresAt,
    });
  }
}
