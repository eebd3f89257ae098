import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../src/errors/catalogue.js';
import { LoginError } from '../src/errors/login-error.js';

const root = resolve(import.meta.dirname, '..');
/** Every exception number seed 002 (the vendor's LogonWithToken page) lists. */
const seedNumbers = [10006, 10038, 10055, 10056, 10057, 10060, 10061, 10062, 10063, 10064, 10065, 10089, 10100, 10222, 10244, 10246, 10268, 10285, 10376];
/** The seeds, where the workplace keeps them beside the project. */
const seedDirectory = join(root, '..', 'shared', 'seeds');

/** Numbers in the first column of the README's error tables (rows such as `| 10006 | …`). */
function documentedNumbers(): number[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| (1\d{4}) \| `([a-z_]+)` \| (\d{3}) \|/gm)].map((row) => Number(row[1]));
}

describe('the error catalogue', () => {
  it('has every number seed 002 lists', () => {
    const numbers = new Set<number>(Object.values(catalogue).map((entry) => entry.number));
    expect(seedNumbers.filter((number) => !numbers.has(number))).toEqual([]);
  });

  it.runIf(existsSync(seedDirectory))('lists the same numbers as the seed itself', () => {
    const seed = readdirSync(seedDirectory).find((file) => file.startsWith('002_'))!;
    const listed = [...readFileSync(join(seedDirectory, seed), 'utf8').matchAll(/\((1\d{4})\)/g)].map((match) => Number(match[1]));
    expect([...new Set(listed)].sort()).toEqual(seedNumbers);
  });

  it('never gives two codes one number', () => {
    const numbers = Object.values(catalogue).map((entry) => entry.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('is documented in the README, row for row, with code and status', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const [code, entry] of Object.entries(catalogue)) {
      expect(readme, code).toContain(`| ${entry.number} | \`${code}\` | ${entry.status} | ${entry.message}`);
    }
    expect(documentedNumbers().sort()).toEqual(Object.values(catalogue).map((entry) => entry.number).sort());
  });

  it('makes LoginErrors with the entry of their code', () => {
    const error = new LoginError('licence_feature_missing', { reason: 'feature WebApi missing' });
    expect(error).toMatchObject({ number: 10100, status: 403, message: 'Missing feature in server license.' });
    expect(error.retryable).toBe(false);
  });
});
