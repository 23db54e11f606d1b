/**
 * Process exit codes of the `bulwark` command. 64 is EX_USAGE from BSD sysexits.h, which
 * shells and CI scripts already recognise as "you called it wrong".
 */
export const ExitCode = {
  /** Success; for `scan`: the content may pass (ALLOW, WARN or REDACT). */
  OK: 0,
  /** An error: invalid policy, unreadable file, scanner failure. */
  ERROR: 1,
  /** `scan` decided BLOCK: the content must not pass. */
  BLOCKED: 2,
  /** Wrong flags or arguments. */
  USAGE: 64,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
