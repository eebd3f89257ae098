// npm run bench:signature — what an ES256 signature (the LogonWithToken connection JWT) costs
// the process and its event loop, three ways: node:crypto's synchronous `sign()`, the same call
// with a callback (libuv's thread pool: what ConnectionJwt does), and WebCrypto's `subtle.sign`
// (what jose's SignJWT uses). 50 signatures under way; per round and way, the process's CPU µs
// per signature and the event loop's busy µs per signature (`eventLoopUtilization`). The table
// gives the median of the interleaved rounds. `--quick` (CI's smoke run): one round of 2,000.
import { generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import { runInterleaved } from './interleaved.mjs';
import { median } from './table.mjs';

const quick = process.argv.includes('--quick');
const [roundCount, perRound] = quick ? [1, 2_000] : [5, 20_000];
const concurrency = 50;

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const cryptoKey = await webcrypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
// A connection JWT's signing input is about this long.
const input = Buffer.from(`${'e'.repeat(60)}.${'p'.repeat(180)}`);
const ecdsa = { key: privateKey, dsaEncoding: 'ieee-p1363' };

const ways = {
  'node:crypto sign(), synchronous': () => sign('sha256', input, ecdsa),
  'node:crypto sign() with a callback (thread pool)': () =>
    new Promise((resolve, reject) => sign('sha256', input, ecdsa, (error, signature) => (error ? reject(error) : resolve(signature)))),
  'WebCrypto subtle.sign (jose)': () => webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, cryptoKey, input),
};

const samples = await runInterleaved(ways, {
  rounds: roundCount,
  perRound,
  concurrency,
  check: (signature) => {
    if (signature.byteLength !== 64) throw new Error(`unexpected signature of ${signature.byteLength} bytes`);
  },
});

console.log('| ES256 signature | CPU µs per signature | event loop µs per signature |');
console.log('|---|---:|---:|');
for (const [name, { cpu, loop }] of Object.entries(samples)) console.log(`| ${name} | ${median(cpu).toFixed(1)} | ${median(loop).toFixed(1)} |`);
console.log(`\n${roundCount} × ${perRound} signatures per way, ${concurrency} under way, node ${process.version}`);
