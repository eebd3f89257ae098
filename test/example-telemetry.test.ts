import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureText } from './support/leak-capture.js';
import { recordSecret } from './support/secrets.js';

// `OTEL=1 npm start` as an operator runs it: the example app in its own process, its metrics
// scraped from the Prometheus port, its traces received by a stand-in OTLP collector on loopback.

const root = join(import.meta.dirname, '..');
const password = recordSecret('alice-password');

let app: ChildProcess;
let collector: Server;
const exports: string[] = [];
let portalOrigin: string;
let metricsUrl: string;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      exports.push(`${req.method} ${req.url} ${body}`);
      captureText(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const [portalPort, partnerPort, httpsPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  app = spawn(process.execPath, ['example-app/start.js'], {
    cwd: root,
    env: {
      ...process.env,
      OTEL: '1',
      PORTAL_PORT: String(portalPort),
      PARTNER_PORT: String(partnerPort),
      PORTAL_HTTPS_PORT: String(httpsPort),
      METRICS_PORT: String(metricsPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  app.stderr!.on('data', (chunk: Buffer) => captureText(chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    app.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      captureText(chunk.toString());
      if (output.includes('Metrics:')) resolve();
    });
    app.once('exit', (code) => reject(new Error(`example app exited with ${code}: ${output}`)));
  });
  portalOrigin = `http://localhost:${portalPort}`;
  metricsUrl = output.match(/Metrics: (\S+?);?\s/)![1]!;
});

afterAll(async () => {
  if (app !== undefined && app.exitCode === null) {
    const exited = once(app, 'exit');
    app.kill('SIGTERM');
    await exited;
  }
  await new Promise((resolve) => collector?.close(resolve));
});

const signIn = (secret: string) =>
  fetch(`${portalOrigin}/authentication/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: secret, organisation: 'DEMO' }),
  });

describe('OTEL=1 npm start', () => {
  it('serves the attempts, durations and store entries for Prometheus on its own port', async () => {
    const ok = await signIn(password);
    expect(ok.status).toBe(200);
    recordSecret(((await ok.json()) as { data: { token: string } }).data.token);
    expect((await signIn(recordSecret('example-telemetry-wrong-password'))).status).toBe(401);

    expect(new URL(metricsUrl).port).not.toBe(new URL(portalOrigin).port);
    const scrape = await (await fetch(metricsUrl)).text();
    captureText(scrape);
    expect(scrape).toMatch(/^login_with_token_attempts_total\{login_with_token_flow="session-token",login_with_token_outcome="ok",login_with_token_tenant="DEMO"[^}]*\} 1$/m);
    expect(scrape).toMatch(/^login_with_token_attempts_total\{login_with_token_flow="session-token",login_with_token_outcome="login_failed"[^}]*\} 1$/m);
    expect(scrape).toMatch(/^login_with_token_partner_duration_count\{login_with_token_command="VerifyCredentials"[^}]*login_with_token_outcome="ok"[^}]*\} 1$/m);
    expect(scrape).toMatch(/^login_with_token_store_entries\{login_with_token_store_role="sessions"[^}]*\} 1$/m);
  });

  it('sends its spans to the OTLP collector', async () => {
    const deadline = Date.now() + 10_000;
    while (!exports.some((entry) => entry.includes('session-token')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const traces = exports.filter((entry) => entry.startsWith('POST /v1/traces '));
    expect(traces.join('\n')).toContain('"session-token"');
    expect(traces.join('\n')).toContain('"VerifyCredentials"');
    expect(traces.join('\n')).not.toContain('alice-password');
  });
});
