import { describe, expect, it } from 'vitest';
import { LoginError } from '../src/errors/login-error.js';
import { toAbsenceInfo } from '../src/logon/absence-info.js';

const start = Date.parse('2026-12-24T00:00:00.000Z');
const end = Date.parse('2027-01-02T00:00:00.000Z');
const during = Date.parse('2026-12-28T12:00:00.000Z');

function failure(run: () => unknown): LoginError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LoginError);
  return thrown as LoginError;
}

describe('toAbsenceInfo', () => {
  it('answers the seed’s not-absent value when the hook returns nothing', () => {
    const notAbsent = { AbsenceDateEnd: '', AbsenceDateStart: '', Absent: false, DeputyRepresentativeUserId: null };
    expect(toAbsenceInfo(undefined, during)).toEqual(notAbsent);
    expect(toAbsenceInfo(null, during)).toEqual(notAbsent);
    expect(toAbsenceInfo({}, during)).toEqual(notAbsent);
  });

  it('writes Date, ISO string and epoch-millisecond dates alike as ISO 8601 in UTC', () => {
    const expected = { AbsenceDateStart: '2026-12-24T00:00:00.000Z', AbsenceDateEnd: '2027-01-02T00:00:00.000Z' };
    expect(toAbsenceInfo({ start: new Date(start), end: new Date(end) }, during)).toMatchObject(expected);
    expect(toAbsenceInfo({ start: '2026-12-24T01:00:00+01:00', end: '2027-01-02T00:00:00Z' }, during)).toMatchObject(expected);
    expect(toAbsenceInfo({ start, end }, during)).toMatchObject(expected);
  });

  it('is absent from start to end inclusive, and not outside', () => {
    const absent = (now: number) => toAbsenceInfo({ start, end }, now).Absent;
    expect([absent(start - 1), absent(start), absent(during), absent(end), absent(end + 1)]).toEqual([false, true, true, true, false]);
  });

  it('counts an open start or an open end as unbounded on that side', () => {
    expect(toAbsenceInfo({ start }, end + 365 * 86_400_000)).toMatchObject({ Absent: true, AbsenceDateEnd: '' });
    expect(toAbsenceInfo({ start }, start - 1).Absent).toBe(false);
    expect(toAbsenceInfo({ end, start: null }, 0)).toMatchObject({ Absent: true, AbsenceDateStart: '' });
    expect(toAbsenceInfo({ end: '', start: '' }, during).Absent).toBe(false);
  });

  it('lets the hook’s absent flag decide over the dates', () => {
    expect(toAbsenceInfo({ start, end, absent: false }, during).Absent).toBe(false);
    expect(toAbsenceInfo({ start, end, absent: true }, end + 1).Absent).toBe(true);
    expect(toAbsenceInfo({ absent: true }, during)).toMatchObject({ Absent: true, AbsenceDateStart: '', AbsenceDateEnd: '' });
  });

  it('gives the deputy as a user id, and null for none or an empty one', () => {
    expect(toAbsenceInfo({ absent: true, deputyUserId: 'u-7' }, during).DeputyRepresentativeUserId).toBe('u-7');
    expect(toAbsenceInfo({ absent: true, deputyUserId: '' }, during).DeputyRepresentativeUserId).toBeNull();
    expect(toAbsenceInfo({ absent: true, deputyUserId: null }, during).DeputyRepresentativeUserId).toBeNull();
    // A JavaScript app may hand a numeric id; the contract's field is a string.
    expect(toAbsenceInfo({ absent: true, deputyUserId: 42 as never }, during).DeputyRepresentativeUserId).toBe('42');
  });

  it.each([
    ['an unparsable string', { start: 'next tuesday' }, 'start'],
    ['NaN', { end: Number.NaN }, 'end'],
    ['Infinity', { end: Number.POSITIVE_INFINITY }, 'end'],
    ['a time beyond what Date can hold', { start: 8.64e15 + 1 }, 'start'],
    ['an invalid Date', { end: new Date('nope') }, 'end'],
    ['an object', { start: { toString: () => '2026-12-24' } as never }, 'start'],
  ])('fails as store_unavailable, naming the field, when the hook returns %s', (_, decision, field) => {
    const error = failure(() => toAbsenceInfo(decision, during));
    expect(error.code).toBe('store_unavailable');
    expect(error.reason).toBe(`logon.absence returned an invalid ${field} date`);
  });
});
