import type { Clock } from '../../time/clock.js';
import type { RedisKeys } from '../store-keys.js';
import type { SessionStore, StoredSession, UserSessionEntry } from '../session-store.js';
import { ms, type RedisRunner } from './redis-runner.js';

// A session is "<idleUntil>|<expiresAt>|<idleMs>|<tenant>|<pending>|<json>": the scripts check
// the tenant, slide the first field and clear the pending second factor without touching the JSON.
// A value of another shape is no session: every script answers as for an absent key.
const use = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
local idleUntil, expiresAt, idle, tenant, rest = string.match(value, '^(%d+)|(%d+)|(%d+)|([^|]*)|([01]|.*)$')
if not tenant or tenant ~= ARGV[2] then return false end
local now = tonumber(ARGV[1])
if tonumber(idleUntil) <= now then
  redis.call('DEL', KEYS[1])
  return false
end
if tonumber(idle) > 0 then
  local slid = math.min(tonumber(expiresAt), now + tonumber(idle))
  redis.call('SET', KEYS[1], string.format('%.0f', slid) .. '|' .. expiresAt .. '|' .. idle .. '|' .. tenant .. '|' .. rest, 'PX', string.format('%.0f', slid - now))
end
return rest`;

const confirm = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
local head, idleUntil, rest = string.match(value, '^((%d+)|%d+|%d+|[^|]*|)[01]|(.*)$')
if not idleUntil or tonumber(idleUntil) <= tonumber(ARGV[1]) then return false end
redis.call('SET', KEYS[1], head .. '0|' .. rest, 'KEEPTTL')
return rest`;

const revoke = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
redis.call('DEL', KEYS[1])
local idleUntil, json = string.match(value, '^(%d+)|%d+|%d+|[^|]*|[01]|(.*)$')
if not idleUntil or tonumber(idleUntil) <= tonumber(ARGV[1]) then return false end
return json`;

const alive = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local idleUntil = string.match(value, '^(%d+)|%d+|%d+|[^|]*|[01]|')
if not idleUntil or tonumber(idleUntil) <= tonumber(ARGV[1]) then return 0 end
return 1`;

// The per-user index: members "kind|createdAt|key" scored by a sequence, so its order is write
// order for every reader. It lives as long as its longest session.
const index = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('ZADD', KEYS[1], (tonumber(last[2]) or 0) + 1, ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * {@link SessionStore} on Redis: one key per session (idle expiry slid by a script, absolute
 * expiry kept in the value) and a sorted set per user (in write order) for the maximum-sessions
 * rule. Each script touches a single key, so this works on Redis Cluster too.
 */
export class RedisSessionStore implements SessionStore {
  readonly shared = true;

  constructor(
    private readonly redis: RedisRunner,
    private readonly keys: RedisKeys,
    private readonly now: Clock,
  ) {}

  async create(key: string, session: StoredSession): Promise<void> {
    const now = this.now();
    const idle = session.idleTimeoutMs ?? 0;
    const idleUntil = idle > 0 ? Math.min(session.expiresAt, now + idle) : session.expiresAt;
    const { pendingSecondFactor, ...stored } = session;
    const value = `${ms(idleUntil)}|${ms(session.expiresAt)}|${ms(idle)}|${session.tenant.replaceAll('|', '')}|${pendingSecondFactor === true ? 1 : 0}|${JSON.stringify(stored)}`;
    await this.redis.run((client) => client.set(this.keys.session(key), value, 'PX', Math.max(1, Math.round(idleUntil - now))));
    await this.redis.script(index, this.keys.userSessions(session.tenant, session.userId), member(session, key), ms(Math.max(1, session.expiresAt - now)));
  }

  async use(key: string, tenant: string): Promise<StoredSession | undefined> {
    const found = await this.redis.script(use, this.keys.session(key), ms(this.now()), tenant);
    if (typeof found !== 'string') return undefined;
    const session = JSON.parse(found.slice(2)) as StoredSession;
    return found.startsWith('1') ? { ...session, pendingSecondFactor: true } : session;
  }

  async confirm(key: string): Promise<StoredSession | undefined> {
    const json = await this.redis.script(confirm, this.keys.session(key), ms(this.now()));
    return typeof json === 'string' ? (JSON.parse(json) as StoredSession) : undefined;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.redis.script(alive, this.keys.session(key), ms(this.now()))) === 1;
  }

  async revoke(key: string): Promise<StoredSession | undefined> {
    const json = await this.redis.script(revoke, this.keys.session(key), ms(this.now()));
    if (typeof json !== 'string') return undefined;
    const session = JSON.parse(json) as StoredSession;
    await this.redis.run((client) => client.zrem(this.keys.userSessions(session.tenant, session.userId), member(session, key)));
    return session;
  }

  async listForUser(tenant: string, userId: string): Promise<UserSessionEntry[]> {
    const userKey = this.keys.userSessions(tenant, userId);
    const members = await this.redis.run((client) => client.zrange(userKey, '0', '-1'));
    const now = ms(this.now());
    // One script per session, all at once (each session key may live on another cluster slot).
    const parsed = members.map((entry) => entry.split('|') as [StoredSession['kind'], string, string]);
    const live = await Promise.all(parsed.map(([, , key]) => this.redis.script(alive, this.keys.session(key), now)));
    const entries: UserSessionEntry[] = [];
    const dead: string[] = [];
    parsed.forEach(([kind, createdAt, key], index) => {
      if (live[index] === 1) entries.push({ key, kind, createdAt: Number(createdAt) });
      else dead.push(members[index]!);
    });
    if (dead.length > 0) await this.redis.run((client) => client.zrem(userKey, ...dead));
    return entries;
  }
}

function member(session: StoredSession, key: string): string {
  return `${session.kind}|${ms(session.createdAt)}|${key}`;
}
