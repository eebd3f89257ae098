import { setTimeout as sleep } from 'node:timers/promises';

/** How many recent durations are kept to draw from. */
const samples = 32;
/** Waited before any real duration is known. */
const initialMs = 100;
/** Never waited longer than this, whatever the partner took. */
const ceilingMs = 5_000;

/**
 * Makes an answer that needs no partner call take as long as one that does: it remembers how
 * long recent real checks took and, asked to cover, waits one of those durations at random. So
 * timing does not tell an unknown organisation from a wrong password.
 */
export class ResponseTimeCover {
  readonly #durations: number[] = [];
  #next = 0;

  /** Remembers how long a real check took. */
  record(durationMs: number): void {
    this.#durations[this.#next] = Math.min(ceilingMs, Math.max(0, durationMs));
    this.#next = (this.#next + 1) % samples;
  }

  /** Waits about as long as a real check takes. */
  async wait(): Promise<void> {
    const known = this.#durations.length;
    await sleep(known === 0 ? initialMs : this.#durations[Math.floor(Math.random() * known)]!);
  }
}
