// Express 4 portals are mostly CommonJS: on Node.js 20.19 and later they `require` the package
// (an ES module without top-level await) like any other.
const { createLoginWithToken, catalogue } = require('login-with-token');
const { RedisStore } = require('login-with-token/redis');
const { PostgresStore } = require('login-with-token/postgres');

console.log(
  JSON.stringify({ createLoginWithToken: typeof createLoginWithToken, RedisStore: typeof RedisStore, PostgresStore: typeof PostgresStore, tokenInvalid: catalogue.token_invalid.number }),
);
