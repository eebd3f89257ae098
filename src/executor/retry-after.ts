/** Reads a `Retry-After` header given in seconds, clamped to 1 s … 1 h; dates and junk are ignored. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,9}$/.test(text.trim())) return undefined;
  return Math.min(3600, Math.max(1, Number(text)));
}
