import { randomBytes } from 'node:crypto';
import type { OneTimeLedger, Reservation } from '../one-time-ledger.js';
import type { Clock } from '../../time/clock.js';
import type { RedisKeys } from '../store-keys.js';
import { ms, type RedisRunner } from './redis-runner.js';

// Values: "r|<id>|<until>" while reserved, "u|<until>" once used. Times come from the app's clock
// (ARGV) so that every instance, and the tests' controlled clocks, agree; PX only collects garbage.
// A value that is neither counts as used: a mangled entry must not make a spent token redeemable.
const reserve = `
local now = tonumber(ARGV[3])
local value = redis.call('GET', KEYS[1])
if value then
  local used = string.match(value, '^u|(%d+)$')
  local held = string.match(value, '^r|[^|]*|(%d+)$')
  if not used and not held then return 'used' end
  if used and tonumber(used) > now then return 'used' end
  if held and tonumber(held) > now then return 'in-use' end
end
redis.call('SET', KEYS[1], 'r|' .. ARGV[1] .. '|' .. string.format('%.0f', now + tonumber(ARGV[2])), 'PX', ARGV[2])
return 'reserved'`;

// A reservation that lapsed (its key expired) while nobody else took the token still spends it.
const consume = `
local value = redis.call('GET', KEYS[1])
if value and string.match(value, '^r|([^|]*)|') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'u|' .. string.format('%.0f', tonumber(ARGV[3]) + tonumber(ARGV[2])), 'PX', ARGV[2])
return 1`;

const release = `
local value = redis.call('GET', KEYS[1])
if value and string.match(value, '^r|([^|]*)|') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/** {@link OneTimeLedger} on Redis: one key per token hash, every transition one Lua script. */
export class RedisLedger implements OneTimeLedger {
  readonly shared = true;

  constructor(
    private readonly redis: RedisRunner,
    private readonly keys: RedisKeys,
    private readonly now: Clock,
  ) {}

  async reserve(key: string, holdMs: number): Promise<Reservation> {
    const id = randomBytes(9).toString('base64url');
    const status = await this.redis.script(reserve, this.keys.ledger(key), id, ms(holdMs), ms(this.now()));
    return status === 'reserved' ? { status, id } : { status: status as 'used' | 'in-use' };
  }

  async consume(key: string, id: string, rememberMs: number): Promise<boolean> {
    return (await this.redis.script(consume, this.keys.ledger(key), id, ms(rememberMs), ms(this.now()))) === 1;
  }

  async release(key: string, id: string): Promise<void> {
    await this.redis.script(release, this.keys.ledger(key), id);
  }
}
