import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-store-options.js';

/**
 * Runs commands and Lua scripts on the app's client with a deadline, so a Redis that hangs turns
 * into a rejected promise (and a 503) instead of a request that never ends. Scripts go by
 * `EVALSHA`, falling back to `EVAL` once when Redis does not know them yet.
 */
export class RedisRunner {
  readonly #client: RedisClient;
  readonly #timeoutMs: number;
  readonly #shas = new Map<string, string>();

  constructor(client: RedisClient, options: { readonly commandTimeoutMs: number }) {
    this.#client = client;
    this.#timeoutMs = options.commandTimeoutMs;
  }

  /** Runs `script` on one key. */
  async script(script: string, key: string, ...args: (string | number)[]): Promise<unknown> {
    let sha = this.#shas.get(script);
    if (sha === undefined) this.#shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
    try {
      return await this.#bounded(this.#client.evalsha(sha, 1, key, ...args));
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return this.#bounded(this.#client.eval(script, 1, key, ...args));
    }
  }

  /** Runs one plain command, e.g. `run((c) => c.get(key))`. */
  run<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    return this.#bounded(command(this.#client));
  }

  #bounded<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('Redis command timed out')), this.#timeoutMs);
    });
    // A late rejection after the deadline must not surface as unhandled.
    promise.catch(() => undefined);
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  }
}

/** Formats a millisecond timestamp for Lua without exponent notation. */
export function ms(value: number): string {
  return Math.round(value).toString();
}
