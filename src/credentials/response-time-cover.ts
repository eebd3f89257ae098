import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** How many recent durations are kept per tenant to draw from. */
const samples = 32;
/** Waited before any real duration is known. */
const initialMs = 100;
/** Never waited longer than this, whatever the partner took. */
const ceilingMs = 5_000;

/**
 * Makes an answer that needs no partner call take as long as one that does: it remembers how
 * long each tenant's recent real checks took and, asked to cover for a name nobody configured,
 * waits one of those durations at random — always from the same tenant for the same name, so
 * the name's timings look like one tenant's, not like a mix. So timing does not tell an unknown
 * organisation from a wrong password.
 */
export class ResponseTimeCover {
  readonly #tenants: readonly string[];
  readonly #durations = new Map<string, { values: number[]; next: number }>();

  constructor(tenants: readonly string[]) {
    this.#tenants = tenants;
  }

  /** Remembers how long a real check at `tenant` took. */
  record(tenant: string, durationMs: number): void {
    let ring = this.#durations.get(tenant);
    if (ring === undefined) this.#durations.set(tenant, (ring = { values: [], next: 0 }));
    ring.values[ring.next] = Math.min(ceilingMs, Math.max(0, durationMs));
    ring.next = (ring.next + 1) % samples;
  }

  /** Waits about as long as a real check at the tenant `name` is pinned to takes. */
  async wait(name: string): Promise<void> {
    const pinned = this.#tenants[createHash('sha256').update(name).digest().readUInt32BE(0) % Math.max(1, this.#tenants.length)];
    const values = this.#durations.get(pinned ?? '')?.values ?? [...this.#durations.values()][0]?.values;
    await sleep(values === undefined ? initialMs : values[Math.floor(Math.random() * values.length)]!);
  }
}
