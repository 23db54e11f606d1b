/**
 * An action's parameters (a JSON object) flattened to leaves, bounded: the checks read every
 * string, so a hostile caller must not be able to make that unbounded. Past a bound the
 * parameters are reported as too large; the engine then refuses the action rather than
 * deciding on a part of it (truncated input is never judged as if complete).
 */
import type { JsonParameters } from './action-names.js';

export const MAX_LEAVES = 2_000;
export const MAX_DEPTH = 16;
export const MAX_TEXT_CHARS = 512 * 1024;

export interface ParameterLeaf {
  /** Dotted path: "data.password", "recipients.0". */
  path: string;
  /** The last key on the path (array indices skipped): "password", "recipients". */
  key: string;
  value: string | number | boolean;
}

export interface FlatParameters {
  leaves: ParameterLeaf[];
  /** A bound was hit: leaves are incomplete. */
  tooLarge: boolean;
}

/** Flattens `parameters`; null values are skipped. */
export function flattenParameters(parameters: JsonParameters): FlatParameters {
  const leaves: ParameterLeaf[] = [];
  let chars = 0;
  let tooLarge = false;
  const visit = (value: unknown, path: string, key: string, depth: number): void => {
    if (tooLarge || value === null || value === undefined) return;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      if (leaves.length >= MAX_LEAVES) return void (tooLarge = true);
      if (typeof value === 'string') {
        chars += value.length;
        if (chars > MAX_TEXT_CHARS) return void (tooLarge = true);
      }
      leaves.push({ path, key, value });
      return;
    }
    if (depth >= MAX_DEPTH) return void (tooLarge = true);
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, path === '' ? String(i) : `${path}.${i}`, key, depth + 1));
      return;
    }
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, path === '' ? k : `${path}.${k}`, k, depth + 1);
    }
  };
  visit(parameters, '', '', 0);
  return { leaves, tooLarge };
}

/** The value at a dotted path ("options.method"), or undefined. Own properties only. */
export function parameterAt(parameters: JsonParameters, path: string): unknown {
  let cur: unknown = parameters;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
