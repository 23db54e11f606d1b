/**
 * Flag parsing for every subcommand: node:util `parseArgs` in strict mode, with its
 * errors turned into a {@link UsageError} (exit code 64) that names the offending flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The caller invoked the command wrongly; the message is shown with a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags: string or boolean values by flag name, plus positional arguments. */
export interface ParsedFlags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `args` against `options` (always strict: an unknown flag or a missing value is
 * a UsageError). `--help`/`-h` is added to every spec so each command can answer it.
 */
export function parseFlags(args: string[], options: OptionsSpec, maxPositionals: number): ParsedFlags {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs errors are about the flags the user typed, never about content.
    throw new UsageError(stripParseArgsHint((err as Error).message));
  }
  const values = parsed.values as ParsedFlags['values'];
  if (!values.help && parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).length;
    throw new UsageError(`unexpected argument${extra > 1 ? 's' : ''} (${extra} more than expected)`);
  }
  return { values, positionals: parsed.positionals };
}

/** parseArgs suggests "To specify a positional argument starting with a '-'…", which is noise here. */
function stripParseArgsHint(message: string): string {
  const cut = message.indexOf('. To specify');
  return cut >= 0 ? message.slice(0, cut) : message;
}

/** A string flag's value, or undefined. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const v = flags.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Parses a positive integer flag value; `source` names it in the error ("--workers", "BULWARK_WORKERS"). */
export function positiveInt(value: string | undefined, source: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${source} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}

/** Checks that `value` is one of `allowed`; `source` names the flag in the error. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], source: string): T | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  const hit = allowed.find((a) => a.toLowerCase() === lower);
  if (!hit) throw new UsageError(`${source} must be one of ${allowed.join(', ')}; got "${value}"`);
  return hit;
}
