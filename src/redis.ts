export { RedisStore, type RedisStoreOptions, type RedisClient } from './store/redis/redis-store.js';
