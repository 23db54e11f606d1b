/** Durations on the command line: "90s", "15m", "1h", "7d" (or plain seconds). */
import { UsageError } from './parse-flags.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in `value`; `source` names the flag in errors. Zero is allowed only when `allowZero`. */
export function durationSeconds(value: string, source: string, options: { allowZero?: boolean; maxSeconds?: number } = {}): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new UsageError(`${source} must be a duration such as 90s, 15m, 1h or 7d; got "${value}"`);
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
  if (seconds === 0 && !options.allowZero) throw new UsageError(`${source} must be longer than 0`);
  if (options.maxSeconds !== undefined && seconds > options.maxSeconds) {
    throw new UsageError(`${source} must be at most ${options.maxSeconds / 86_400} days`);
  }
  return seconds;
}
