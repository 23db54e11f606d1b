/**
 * Decides whether one regex match of a secret rule is a secret worth reporting, and with
 * what confidence. The pattern finds the shape; this module applies the rule's data-driven
 * checks: validators, key deny-list, value profile, entropy and the placeholder filter.
 */
import { isDocumentationHost } from './documentation-hosts.js';
import { charClasses, shannonEntropy } from './entropy.js';
import { placeholderReason } from './placeholder-filter.js';
import type { SecretRule, ValueProfile, ValueShape } from './secret-rule-catalog.js';
import { validateSecret } from './validators.js';

/** A secret found in one view: its span in that view's text and the confidence. */
export interface SecretCandidate {
  rule: SecretRule;
  start: number;
  end: number;
  confidence: number;
}

/** Why a match was not reported (for tests and the evaluation script; never contains the value). */
export type RejectReason = string;

const SHAPE_TESTS: Record<ValueShape, RegExp> = {
  email: /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/,
  url: /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)/i,
  ip: /^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$/,
  'hex-literal': /^0x[0-9a-f]+$/i,
  path: /^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/,
  number: /^[\d.,_+-]+$/,
  // A fragment of code around a string literal: `"+ new Buffer(`, `" . $x . "`.
  code: /^\s*[+.,;&|]|[(+]\s*$|^\s*new\s/,
};

/** Characters that separate words in identifiers; they do not make a value more complex. */
const NEUTRAL = /[\s_.-]/g;

/** Longer "keys" are sentences or minified code, not field names. */
const MAX_KEY_LENGTH = 100;

/** Trailing punctuation that ends a sentence rather than an unquoted value. */
const TRAILING_PUNCTUATION = /[.,:;)\]}>]+$/;

function checkValue(value: string, profile: ValueProfile, unquoted: boolean): RejectReason | null {
  if (value.length < profile.minLength) return 'too short';
  if (value.length > profile.maxLength) return 'too long for this kind of value';
  if (value.trim().split(/\s+/).length > profile.maxWords) return 'prose, not a value';
  const cc = charClasses(value.replace(NEUTRAL, ''));
  const classes = cc.count;
  if (classes < profile.minClasses) return 'too few character classes';
  // For short values, upper and lower case count as one class: "Palau" is a word, "ab3!" is not.
  const coarse = Number(cc.lower || cc.upper) + Number(cc.digit) + Number(cc.other);
  if (value.length < profile.shortBelow && coarse < profile.shortMinClasses) return 'short and simple';
  if (unquoted && classes < profile.unquotedMinClasses) return 'unquoted word, likely a name';
  // A symbol inside the value does what a digit does: names and identifiers have neither.
  if (value.length < profile.digitOrLength && !cc.digit && !cc.other) return 'short value without digits or symbols';
  for (const shape of profile.rejectShapes) {
    if (SHAPE_TESTS[shape].test(value)) return `looks like ${shape}`;
  }
  return null;
}

function firstGroup(m: RegExpExecArray, groupList: readonly number[]): number | null {
  for (const g of groupList) {
    if (m[g] !== undefined) return g;
  }
  return null;
}

/**
 * Evaluates one match. Returns the candidate (span in the matched text) or a reject reason.
 * The match must come from `rule.regex` (or its decoded variant) with match indices enabled.
 */
export function evaluateMatch(rule: SecretRule, m: RegExpExecArray): SecretCandidate | RejectReason {
  const group = firstGroup(m, rule.secretGroups);
  const indices = group === null ? undefined : m.indices?.[group];
  if (group === null || indices === undefined) return 'no secret group';
  let value = m[group] as string;
  const start = indices[0];
  let end = indices[1];
  const unquoted = group === rule.unquotedGroup;
  if (unquoted) {
    const trimmed = value.replace(TRAILING_PUNCTUATION, '');
    end -= value.length - trimmed.length;
    value = trimmed;
  }
  if (value.length === 0) return 'empty value';

  if (rule.keyGroup !== null && rule.keyDeny !== null) {
    const key = m[rule.keyGroup];
    if (key !== undefined && (key.length > MAX_KEY_LENGTH || rule.keyDeny.test(key))) return 'key is not a credential field';
  }

  if (rule.hostGroup !== null) {
    const host = m[rule.hostGroup];
    if (host !== undefined && isDocumentationHost(host)) return 'documentation address';
  }

  let confidence = rule.confidence;
  let skipPlaceholder = rule.placeholder === 'off';
  if (rule.validate !== null) {
    const result = validateSecret(rule.validate, value);
    if (result === 'valid') {
      confidence = 1;
      skipPlaceholder = true;
    } else if (result === 'invalid') {
      return 'failed structural validation';
    }
  }

  if (rule.value !== null) {
    const reason = checkValue(value, rule.value, unquoted);
    if (reason !== null) return reason;
  }

  const bodyGroup = firstGroup(m, rule.bodyGroups);
  const body = bodyGroup === null || bodyGroup === group ? value : (m[bodyGroup] as string);
  if (rule.minEntropy > 0 && shannonEntropy(body) < rule.minEntropy) return 'entropy below threshold';
  if (!skipPlaceholder) {
    const level = rule.placeholder === 'off' ? 'lenient' : rule.placeholder;
    const reason = placeholderReason(body, level) ?? (body === value ? null : placeholderReason(value, 'lenient'));
    if (reason !== null) return reason;
  }
  return { rule, start, end, confidence };
}
