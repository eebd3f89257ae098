export { RedisStore } from './store/redis/redis-store.js';
export type { RedisStoreOptions, RedisClient } from './store/redis/redis-store-options.js';
