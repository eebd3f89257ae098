import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

// vitest globalSetup: clears the captures before the suite and, after it, checks that no secret
// any test used appears in anything any test captured. A leak fails the run.
const captureDir = resolve(import.meta.dirname, '..', '..', 'test-results', 'leak-check');

export function setup(): () => void {
  rmSync(captureDir, { recursive: true, force: true });
  return () => {
    let files: string[] = [];
    try {
      files = readdirSync(captureDir).filter((file) => file.endsWith('.json'));
    } catch {
      // No test file ran.
    }
    const secrets = new Set<string>();
    const captured: string[] = [];
    for (const file of files) {
      const capture = JSON.parse(readFileSync(join(captureDir, file), 'utf8')) as { secrets: string[]; captured: string[] };
      capture.secrets.forEach((secret) => secrets.add(secret));
      captured.push(...capture.captured);
    }
    const text = captured.join('\n');
    const leaks = leakedIn(text, [...secrets]);
    console.log(`leak check: ${secrets.size} secrets used, ${captured.length} log lines, audit events, error bodies, spans and metric labels captured, ${leaks.length} leaks`);
    if (leaks.length > 0) {
      // vitest reports a teardown error but keeps its exit code: set ours.
      process.exitCode = 1;
      throw new Error(`leak check: ${leaks.length} secret(s) appeared in logs, audit events, error bodies, spans or metric labels (first starts ${leaks[0]!.slice(0, 6)}…)`);
    }
  };
}

/** The secrets that occur in `text`, raw or percent-encoded (a secret with a lone surrogate has no encoded form). */
function leakedIn(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret) || (secret.isWellFormed() && text.includes(encodeURIComponent(secret))));
}
