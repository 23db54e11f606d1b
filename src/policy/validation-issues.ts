/**
 * Small helpers for validating plain values parsed from YAML. Every problem becomes an
 * {@link ValidationIssue} carrying the field path, so the loader can name file, line and field.
 * Issues are collected (not thrown) so one run reports every mistake in a file.
 */
import type { FieldPath } from './yaml-locations.js';

export interface ValidationIssue {
  path: FieldPath;
  message: string;
  /** Point at the key (unknown fields) rather than at the value. */
  at?: 'key' | 'value';
}

/** Collects issues for one document. */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];

  add(path: FieldPath, message: string, at: 'key' | 'value' = 'value'): void {
    this.issues.push({ path, message, at });
  }

  /** A mapping with only the listed keys; unknown keys are errors (a typo must not weaken a policy). */
  object(value: unknown, path: FieldPath, allowedKeys: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.add(path, `must be a mapping (${describe(value)} given)`);
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowedKeys.includes(key)) {
        this.add([...path, key], `unknown field; expected one of ${allowedKeys.join(', ')}`, 'key');
      }
    }
    return record;
  }

  /** A mapping whose keys are checked by the caller (e.g. threat types, entity names). */
  anyKeyObject(value: unknown, path: FieldPath): Record<string, unknown> | undefined {
    return this.object(value, path, Object.keys((value ?? {}) as object));
  }

  string(value: unknown, path: FieldPath, rule?: { pattern: RegExp; hint: string }): string | undefined {
    if (typeof value !== 'string' || value === '') {
      this.add(path, `must be a non-empty string (${describe(value)} given)`);
      return undefined;
    }
    if (rule && !rule.pattern.test(value)) {
      this.add(path, `must be ${rule.hint}`);
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: FieldPath): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.add(path, `must be true or false (${describe(value)} given)`);
      return undefined;
    }
    return value;
  }

  number(value: unknown, path: FieldPath, range: { min: number; max: number; integer?: boolean }): number | undefined {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= range.min &&
      value <= range.max &&
      (!range.integer || Number.isInteger(value));
    if (!ok) {
      const kind = range.integer ? 'an integer' : 'a number';
      this.add(path, `must be ${kind} from ${range.min} to ${range.max} (${describe(value)} given)`);
      return undefined;
    }
    return value as number;
  }

  oneOf<T extends string>(value: unknown, path: FieldPath, allowed: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.add(path, `must be one of ${allowed.join(', ')} (${describe(value)} given)`);
      return undefined;
    }
    return value as T;
  }

  /** A non-empty list; each element is checked by `item`. Elements that fail are left out. */
  list<T>(value: unknown, path: FieldPath, item: (v: unknown, p: FieldPath) => T | undefined, allowEmpty = false): T[] | undefined {
    if (!Array.isArray(value)) {
      this.add(path, `must be a list (${describe(value)} given)`);
      return undefined;
    }
    if (!allowEmpty && value.length === 0) {
      this.add(path, 'must not be empty');
      return undefined;
    }
    const out: T[] = [];
    value.forEach((v, i) => {
      const checked = item(v, [...path, i]);
      if (checked !== undefined) out.push(checked);
    });
    return out;
  }
}

/** What a value is, for messages. Never echoes long strings (policy text is config, but keep messages short). */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length <= 40 ? `"${value}"` : 'a long string';
  return String(value);
}
