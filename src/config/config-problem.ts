/** A problem with an option that its own schema cannot see, at a path below the option checked. */
export interface ConfigProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}
