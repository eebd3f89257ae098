/** Every token, password and pass code the suite uses, so no test can forget to check them. */
const secrets = new Set<string>();

/**
 * Records `secret` for leak checks and returns it. Secrets shorter than 8 characters (the seed's
 * password "1234") are returned unrecorded: they occur in timestamps by chance.
 */
export function recordSecret(secret: string): string {
  if (secret.length >= 8) secrets.add(secret);
  return secret;
}

/** The secrets recorded so far. */
export function recordedSecrets(): string[] {
  return [...secrets];
}

/** The recorded secrets that occur in `text` (raw or percent-encoded). */
export function leakedSecrets(text: string): string[] {
  return [...secrets].filter((secret) => text.includes(secret) || (secret.isWellFormed() && text.includes(encodeURIComponent(secret))));
}
