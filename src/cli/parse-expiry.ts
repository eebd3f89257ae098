import { UsageError } from './command.js';

const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

// A date (midnight UTC), or a date and time with its zone: a time without one would mean
// whatever zone the operator's machine happens to be in.
const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * `--expires` as milliseconds since the epoch: a duration from `now` (`90d`, `12h`, `30m`,
 * `2w`) or an ISO 8601 date (midnight UTC) or date-time with `Z` or an offset. Throws a
 * {@link UsageError} for anything else, an impossible date, or a time already past.
 */
export function parseExpiry(value: string, now: number): number {
  const duration = /^([1-9]\d{0,5})([mhdw])$/.exec(value);
  if (duration !== null) return now + Number(duration[1]) * unitMs[duration[2] as keyof typeof unitMs];
  const date = isoDateTime.exec(value);
  if (date === null) throw new UsageError('--expires must be a duration (30m, 12h, 90d, 2w) or an ISO 8601 date or date-time with zone');
  const [, year, month, day, hour = '00', minute = '00', second = '00', zone] = date;
  if (value.includes('T') && zone === undefined) throw new UsageError('--expires needs a time zone after the time (Z or +hh:mm)');
  // Date.parse rolls 31 February over into March; an impossible date is a typo, not a wish.
  const fields = [Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)] as const;
  const utc = new Date(Date.UTC(...fields));
  const exact = [utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds()];
  const at = Date.parse(value);
  if (!Number.isFinite(at) || exact.some((field, index) => field !== fields[index])) {
    throw new UsageError('--expires is not a valid date');
  }
  if (at <= now) throw new UsageError('--expires lies in the past');
  return at;
}
