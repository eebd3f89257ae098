export { RedisStore, type RedisStoreOptions } from './store/redis/redis-store.js';
export type { RedisClient } from './store/redis/redis-runner.js';
