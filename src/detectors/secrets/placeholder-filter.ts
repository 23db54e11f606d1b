/**
 * Tells placeholder and example values ("<your-key>", "${API_KEY}", "xxxx", "changeme",
 * "AKIAIOSFODNN7EXAMPLE", "sk-1234567...") from real secrets.
 *
 * Why it matters for a sidecar: documentation, tutorials and code reviews are full of such
 * values, and blocking every "password = changeme" would make the product unusable. A real
 * secret is (almost) never a template reference, a mask, a documented example, a keyboard
 * sequence or a run of one character.
 *
 * Four levels:
 * - `lenient`: only explicit markers (template/variable syntax, masks, words such as EXAMPLE or
 *   "your_key_here"). For formats whose fixed parts legitimately repeat (AAAA... in some tokens).
 * - `literal`: `password` without the field-name test, for positions that can only hold a
 *   literal value (the password of a URI's userinfo, a command's -p argument, the password
 *   argument of a call): there "secret" or "mypass" IS the password, not the name of a field
 *   that holds it. Stop words and whole-value runs/sequences still count as placeholders.
 * - `password`: lenient plus stop-word values ("password", "null", ...), field names, and values
 *   that are nothing but a run, a sequence or a short repeated unit ("123456", "aaaaaa").
 *   Human-chosen passwords often CONTAIN sequences ("Summer123456"), so only whole-value
 *   degeneracy counts.
 * - `strict` (machine-generated tokens): password plus any run of one character or any
 *   ascending/descending sequence longer than 5 anywhere, also among the letters or the digits
 *   alone ("a1b2c3d4e5f6"), and very low character variety. Random tokens essentially never
 *   contain these; documentation examples constantly do.
 */

export type PlaceholderLevel = 'strict' | 'password' | 'literal' | 'lenient';

/** Template / variable references: the value names a secret stored elsewhere. */
const TEMPLATE = [
  /\$\{|\{\{|\}\}|#\{|<%|%>|\$\(/, // ${VAR} {{ var }} #{ruby} <%= erb %> $(cmd)
  /^\$[A-Za-z_]/, // $VAR, $password
  /^%[A-Za-z_][\w.-]*%$/, // %VAR% (Windows)
  /^\{[\w.-]*\}$/, // {0} {name} (format strings)
  /^<[^<>]*>$|&lt;|&gt;/, // <your-key>, HTML-escaped <...>
  /^\[[^\]]*\s[^\]]*\]$/, // [key goes here]
  /process\.env|os\.environ|getenv|System\.getenv|ENV\[|\bsecrets\./i,
];

/** Masks and elisions. */
const MASK = /\*{3,}|[xX]{4,}|•{3,}|\.{3,}|…|#{4,}/;

/** Words that mark a value as an example or an instruction to the reader. */
const MARKER =
  /example|placeholder|redacted|change[_-]?me|dummy|fake|your[_-]?(?:own[_-]?)?(?:api|access|secret|token|key|pass|auth|app|client|private|account|db|database)|\bmy[_-](?:api|secret|token|key|pass)|(?:insert|replace|put|enter|paste)[_ -]?(?:your|here|the|key|token|password)|goes[_ -]?here|_here\b|\bnot[_ -]?set\b/i;

/** Whole values that are words, not secrets. */
const STOP_WORDS = new Set([
  'password', 'passwd', 'pass', 'pwd', 'passphrase', 'secrets', 'token', 'apikey', 'api_key', 'api-key',
  'key', 'changeme', 'test', 'testing', 'string', 'str', 'value', 'none', 'null', 'nil', 'undefined', 'true',
  'false', 'empty', 'required', 'optional', 'default', 'n/a', 'na', 'tbd', 'todo', 'unknown', 'hidden', 'masked',
  'secure', 'private', 'public', 'foo', 'bar', 'baz', 'foobar', 'sample', 'notset', 'unset', 'env', 'environment',
]);

/** A name made of letters and separators that mentions a credential word is a field name, not a value. */
const NAME_LIKE = /^[#.]?[A-Za-z_.\-\s]+$/;
const CREDENTIAL_WORD = /pass(?:word|wd|phrase)?|secret|token|api[_-]?key|credential/i;

/** Longest run of one repeated character. */
export function longestRepeat(value: string): number {
  let best = value.length > 0 ? 1 : 0;
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    run = value.charCodeAt(i) === value.charCodeAt(i - 1) ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

function sequenceClass(code: number): number {
  if (code >= 48 && code <= 57) return 1; // digit
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return 2; // letter
  return 0;
}

/** Longest ascending or descending run of consecutive digits or letters ("123456", "fedcba"). */
export function longestSequence(value: string): number {
  const lower = value.toLowerCase();
  let best = value.length > 0 ? 1 : 0;
  let up = 1;
  let down = 1;
  for (let i = 1; i < lower.length; i++) {
    const a = lower.charCodeAt(i - 1);
    const b = lower.charCodeAt(i);
    const sameClass = sequenceClass(a) !== 0 && sequenceClass(a) === sequenceClass(b);
    up = sameClass && b === a + 1 ? up + 1 : 1;
    down = sameClass && b === a - 1 ? down + 1 : 1;
    best = Math.max(best, up, down);
  }
  return best;
}

/** True when `value` is a short unit (1-4 chars) repeated at least three times ("abababab"). */
export function isPeriodic(value: string): boolean {
  for (let period = 1; period <= 4 && period * 3 <= value.length; period++) {
    let periodic = true;
    for (let i = period; i < value.length && periodic; i++) {
      periodic = value.charCodeAt(i) === value.charCodeAt(i - period);
    }
    if (periodic) return true;
  }
  return false;
}

/** Thresholds of the strict level. */
const MAX_REPEAT = 5;
const MAX_SEQUENCE = 5;
const MIN_DISTINCT_FOR_LONG = 4;

/**
 * Returns why `value` looks like a placeholder or example, or null when it may be a real secret.
 * The reason is a fixed phrase (never the value), safe to log.
 */
export function placeholderReason(value: string, level: PlaceholderLevel = 'strict'): string | null {
  const trimmed = value.trim();
  if (trimmed.length === 0) return 'empty value';
  if (TEMPLATE.some((re) => re.test(trimmed))) return 'template or variable reference';
  if (MASK.test(trimmed)) return 'masked value';
  if (MARKER.test(trimmed)) return 'example or placeholder marker';
  if (level === 'lenient') return null;
  if (STOP_WORDS.has(trimmed.toLowerCase())) return 'stop word';
  if (level !== 'literal' && NAME_LIKE.test(trimmed) && CREDENTIAL_WORD.test(trimmed)) return 'field name, not a value';
  if (isPeriodic(trimmed)) return 'repeating pattern';
  if (trimmed.length >= 3 && longestSequence(trimmed) === trimmed.length) return 'character sequence';
  if (level === 'password' || level === 'literal') return null;
  if (longestRepeat(trimmed) > MAX_REPEAT) return 'repeated character';
  const letters = trimmed.replace(/[^A-Za-z]/g, '');
  const digits = trimmed.replace(/[^0-9]/g, '');
  if (Math.max(longestSequence(trimmed), longestSequence(letters), longestSequence(digits)) > MAX_SEQUENCE) {
    return 'character sequence';
  }
  if (trimmed.length >= 8 && new Set(trimmed).size < MIN_DISTINCT_FOR_LONG) return 'too few distinct characters';
  return null;
}
