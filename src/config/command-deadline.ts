/** The longest deadline any command may have (`timeoutMs` of a command, or `http.timeoutMs`). */
export const maxCommandTimeoutMs = 120_000;
