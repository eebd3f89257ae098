import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countingName } from '../src/rate-limit/counting-name.js';

describe('countingName', () => {
  it('folds compatibility forms, so full-width letters and ligatures count as plain ones', () => {
    expect(countingName('ＡＬＩＣＥ')).toBe('alice');
    expect(countingName('ﬁona')).toBe('fiona');
  });

  it.each([
    ['zero-width space', '\u200B'],
    ['zero-width non-joiner', '\u200C'],
    ['zero-width joiner', '\u200D'],
    ['word joiner', '\u2060'],
    ['soft hyphen', '\u00AD'],
    ['byte order mark', '\uFEFF'],
  ])('drops a %s that a backend would strip', (_name, invisible) => {
    expect(countingName(`al${invisible}ice${invisible}`)).toBe('alice');
  });

  it('trims outer white space of every kind and keeps the inner', () => {
    expect(countingName('\u00A0 mary ann\u3000\t')).toBe('mary ann');
  });

  it('folds case fully, so ß and SS count alike', () => {
    expect(countingName('STRASSE')).toBe('strasse');
    expect(countingName('Straße')).toBe('strasse');
  });

  it('gives every spelling variant of a name one counter, so variants cannot buy fresh guesses', () => {
    const variants = ['alice', 'Alice', 'ALICE', ' alice ', 'ａｌｉｃｅ', 'al\u200Bice', 'a\u00ADlice', '\uFEFFALICE\u200D'];
    expect(new Set(variants.map(countingName))).toEqual(new Set(['alice']));
  });

  it('keeps different names apart', () => {
    const names = ['alice', 'alice2', 'al ice', 'alicé', 'bob'];
    expect(new Set(names.map(countingName)).size).toBe(names.length);
  });

  it('lets no invisible character keep a letter apart from its accent', () => {
    expect(countingName('jose\u034F\u0301')).toBe(countingName('josé'));
    expect(countingName('Jose\u200B\u0301')).toBe('josé');
  });

  it('folds the capital sharp s all the way, as it folds ß', () => {
    expect(countingName('ẞ')).toBe('ss');
    expect(countingName('STRAẞE')).toBe(countingName('straße'));
  });

  it('is its own counting name, so counting twice never moves a name to another counter', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 12 }), (graphemes, binary) => {
        for (const name of [graphemes, binary, `${graphemes}\u034F\u0301${binary}`]) {
          const counted = countingName(name);
          expect(countingName(counted)).toBe(counted);
        }
      }),
      { numRuns: 500 },
    );
  });
});
