import type { z } from 'zod';

/** `unknown` when `A` and `B` have the same keys and each accepts the other's values, else `never`. */
type SameOptions<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? [A] extends [B]
      ? [B] extends [A]
        ? unknown
        : never
      : never
    : never
  : never;

/**
 * Ties an option group's schema to the public type that documents it:
 * `optionSchema<HandoffOptions>()(z.strictObject({ … }))` compiles only when the schema accepts
 * exactly the options the type describes — the same names, the same values — so the TSDoc'd
 * interface apps read and the schema that validates cannot drift apart.
 */
export function optionSchema<Options>() {
  return <Schema extends z.ZodType>(schema: Schema & SameOptions<Options, NonNullable<z.input<Schema>>>): Schema => schema;
}
