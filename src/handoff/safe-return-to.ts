const base = 'http://portal.invalid';
// Control characters are refused because browsers drop tabs and newlines (`/\t/evil.com` → `//evil.com`).
const forbidden = /[\x00-\x1f\x7f\\]/;

/**
 * Accepts only a same-origin relative path (`/invoices/42?tab=1`) and returns it normalised;
 * anything else, including `//evil.com`, `/\evil.com`, `javascript:`, absolute URLs and their
 * percent-encoded forms, yields `fallback`. `authToken` parameters are stripped, and a target
 * that still contains `secret` (the token) anywhere also yields `fallback`.
 */
export function safeReturnTo(value: unknown, fallback: string, secret?: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  if (!isPlainPath(value)) return fallback;
  let decoded = value;
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return fallback;
    }
    if (next === decoded) break;
    if (!isPlainPath(next)) return fallback;
    decoded = next;
  }
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  const tokenParameters = [...url.searchParams.keys()].filter((name) => name.toLowerCase() === 'authtoken');
  for (const name of tokenParameters) url.searchParams.delete(name);
  const target = url.pathname + url.search + url.hash;
  // Dot segments are resolved by the URL parser: `/.//evil.com` becomes `//evil.com`.
  if (!isPlainPath(target)) return fallback;
  if (secret && (target.includes(secret) || safeDecode(target).includes(secret))) return fallback;
  return target;
}

function isPlainPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !forbidden.test(path);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
