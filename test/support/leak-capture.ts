import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { recordedSecrets } from './secrets.js';

// Runs in every test file (vitest setupFiles): captures every log line, audit event, redirect
// target and error body the file produces, and hands them to the final leak check
// (leak-check.global.ts) together with the secrets the file used.

/** Where each test file leaves its capture for the final check. */
export const captureDir = resolve(import.meta.dirname, '..', '..', 'test-results', 'leak-check');

const captured: string[] = [];

/** Adds text (an audit event, a response body, a header) to what the leak check reads. */
export function captureText(text: string): void {
  captured.push(text);
}

/** What this file captured so far, for tests of the capture itself. */
export function capturedSoFar(): readonly string[] {
  return captured;
}

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    captured.push(args.map((arg) => (typeof arg === 'string' ? arg : safeJson(arg))).join(' '));
    original(...args);
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

afterAll(() => {
  mkdirSync(captureDir, { recursive: true });
  writeFileSync(join(captureDir, `${randomUUID()}.json`), JSON.stringify({ secrets: recordedSecrets(), captured }));
});
