import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { optionSchema } from '../src/config/option-schema.js';

interface Sample {
  name: string;
  retries?: number;
  mode?: 'fast' | 'safe';
}

const sampleSchema = z.strictObject({ name: z.string(), retries: z.number().default(3), mode: z.enum(['fast', 'safe']).optional() });

describe('optionSchema', () => {
  it('returns the schema it is given, defaults and all', () => {
    const tied = optionSchema<Sample>()(sampleSchema);
    expect(tied).toBe(sampleSchema);
    expect(tied.parse({ name: 'x' })).toEqual({ name: 'x', retries: 3 });
  });

  // Each line below must fail to compile: `npx tsc --noEmit` reports an unused @ts-expect-error otherwise.
  it('does not compile when the schema and the type disagree', () => {
    const mismatches = [
      // @ts-expect-error: an option the type does not document
      optionSchema<Sample>()(z.strictObject({ name: z.string(), retries: z.number().optional(), mode: z.enum(['fast', 'safe']).optional(), extra: z.string() })),
      // @ts-expect-error: a documented option the schema forgets
      optionSchema<Sample>()(z.strictObject({ name: z.string(), retries: z.number().optional() })),
      // @ts-expect-error: a value of another type
      optionSchema<Sample>()(z.strictObject({ name: z.string(), retries: z.string().optional(), mode: z.enum(['fast', 'safe']).optional() })),
      // @ts-expect-error: the schema requires what the type leaves optional
      optionSchema<Sample>()(z.strictObject({ name: z.string(), retries: z.number(), mode: z.enum(['fast', 'safe']).optional() })),
      // @ts-expect-error: the schema accepts fewer values than the type promises
      optionSchema<Sample>()(z.strictObject({ name: z.string(), retries: z.number().optional(), mode: z.literal('fast').optional() })),
      // @ts-expect-error: the schema accepts more values than the type documents
      optionSchema<Sample>()(z.strictObject({ name: z.string(), retries: z.number().optional(), mode: z.string().optional() })),
    ];
    // At run time the tie is only the identity.
    expect(mismatches.every((schema) => schema instanceof z.ZodObject)).toBe(true);
  });

  it('compiles for an optional group whose inner schema matches', () => {
    const group = optionSchema<Sample>()(sampleSchema.optional());
    expect(group.parse(undefined)).toBeUndefined();
  });
});
