import { LoginError } from '../errors/login-error.js';

/** What to check for each kind of failure, by the error's code (Node.js system codes, PostgreSQL SQLSTATEs). */
const hints: readonly [RegExp, string][] = [
  [/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE)$/, 'cannot reach PostgreSQL; check the host and port in --database-url (or DATABASE_URL) and that the server runs'],
  [/^28/, 'PostgreSQL refused the credentials; check the user and password in --database-url (or DATABASE_URL)'],
  [/^3D000$/, 'the database named in --database-url (or DATABASE_URL) does not exist'],
  [/^(42P01|3F000)$/, 'the tables are missing; run "login-with-token migrate" with the same --schema and --table-prefix first'],
  [/^42501$/, 'the database user lacks a privilege this command needs'],
  [/^ERR_INVALID_URL$/, 'the database URL is not a valid URL'],
];

/**
 * One line about a failed database command that never shows the database URL or its password:
 * the error's code (or name) and what to check, not the driver's message, which for a failed
 * connection may spell out the address or the connection settings.
 */
export function describeDatabaseFailure(error: unknown, databaseUrl: string): string {
  if (error instanceof LoginError) return redact(`${error.message}${error.reason === undefined ? '' : ` (${error.reason})`}`, databaseUrl);
  const { code, name } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; name?: unknown };
  const label = typeof code === 'string' && code !== '' ? code : typeof name === 'string' && name !== '' ? name : 'Error';
  if (label === 'TimeoutError') return 'PostgreSQL did not answer in time (TimeoutError); check --database-url (or DATABASE_URL) and the server';
  const hint = hints.find(([pattern]) => pattern.test(label))?.[1];
  return hint === undefined ? redact(`PostgreSQL failed (${label}): ${error instanceof Error ? error.message : String(error)}`, databaseUrl) : `${hint} (${label})`;
}

/** `text` with the URL and its password blanked out, the password raw and percent-decoded. */
function redact(text: string, databaseUrl: string): string {
  const secrets = [databaseUrl];
  try {
    const { password } = new URL(databaseUrl);
    secrets.push(password, safeDecode(password));
  } catch {
    // Not a URL: the whole string is all there is to hide.
  }
  return secrets.filter((secret) => secret.length > 0).reduce((result, secret) => result.replaceAll(secret, '***'), text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
