/**
 * The shape Passport expects of a strategy (`passport.use(strategy)`), declared here so the
 * package's types do not require `@types/passport`.
 */
export interface PassportStrategy {
  readonly name: string;
  authenticate(req: unknown, options?: unknown): void;
}

/** Gives a passport-custom strategy its fixed name (passport-custom calls every strategy "custom"). */
export function named(strategy: object, name: string): PassportStrategy {
  Object.defineProperty(strategy, 'name', { value: name, enumerable: true });
  return strategy as PassportStrategy;
}
