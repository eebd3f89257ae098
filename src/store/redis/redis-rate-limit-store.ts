import type { Clock } from '../../time/clock.js';
import type { RedisKeys } from '../store-keys.js';
import type { RateCounter, RateLimitStore } from '../rate-limit-store.js';
import { ms, type RedisRunner } from './redis-runner.js';

// A counter is a hash { c: count, r: window end } in the app's clock; PEXPIRE collects it.
const add = `
local now = tonumber(ARGV[3])
local delta = tonumber(ARGV[1])
local resetAt = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
if resetAt <= now then
  if delta <= 0 then return {0, string.format('%.0f', now)} end
  count = 0
  resetAt = now + tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'r', string.format('%.0f', resetAt))
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
count = math.max(0, count + delta)
redis.call('HSET', KEYS[1], 'c', count)
return {count, string.format('%.0f', resetAt)}`;

/** {@link RateLimitStore} on Redis: one hash per counter, changed by one script, shared by every instance. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly shared = true;

  constructor(
    private readonly redis: RedisRunner,
    private readonly keys: RedisKeys,
    private readonly now: Clock,
  ) {}

  async add(key: string, delta: number, windowMs: number): Promise<RateCounter> {
    const [count, resetAt] = (await this.redis.script(add, this.keys.rate(key), delta, ms(windowMs), ms(this.now()))) as [number, string];
    return { count: Number(count), resetAt: Number(resetAt) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.run((client) => client.del(this.keys.rate(key)));
  }
}
