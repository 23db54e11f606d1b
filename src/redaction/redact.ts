/**
 * Applies the policy's anonymizer operators to the detected spans of a text.
 *
 * Overlapping items are merged into one span covering them all, and the widest original
 * item decides the entity type (and so the operator): an email inside a URL becomes part
 * of the URL's replacement, never a half-replaced mix. Items that only touch (one ends
 * where the next starts) stay separate. Spans are widened to whole code points so an
 * operator never leaves half of a surrogate pair behind.
 */
import type { OperatorConfig } from '../policy/types.js';
import { applyOperator, operatorFor, type OperatorContext } from './operators.js';
import { parseEncryptionKey } from './field-encryption.js';

/** One span to anonymize, in UTF-16 offsets of the text. */
export interface RedactionItem {
  start: number;
  end: number;
  /** Selects the operator: operators[entityType] ?? operators.DEFAULT ?? replace. */
  entityType: string;
}

export interface RedactionContext {
  operators: Record<string, OperatorConfig>;
  /** Per-tenant salt for `hash`. */
  hashSalt: string;
  /** Base64 AES-256 key for `encrypt`. */
  encryptionKey: string;
}

/**
 * Applies each item's operator; overlapping items are merged (the widest span wins).
 * Throws a FieldEncryptionError when an item's operator is `encrypt` and no valid key is
 * configured (the message names the problem, never the text).
 */
export function redact(text: string, items: RedactionItem[], ctx: RedactionContext): string {
  const groups = mergeOverlapping(normalize(text, items));
  if (groups.length === 0) return text;
  let key: Buffer | undefined;
  const operatorContext: OperatorContext = {
    hashSalt: ctx.hashSalt,
    encryptionKey: () => (key ??= parseEncryptionKey(ctx.encryptionKey)),
  };
  // Built left to right from slices of the original, which is what applying the
  // operators right to left gives: every offset still refers to the unmodified text.
  let out = '';
  let cursor = 0;
  for (const g of groups) {
    out += text.slice(cursor, g.start);
    out += applyOperator(text.slice(g.start, g.end), g.entityType, operatorFor(ctx.operators, g.entityType), operatorContext);
    cursor = g.end;
  }
  return out + text.slice(cursor);
}

interface Group {
  start: number;
  end: number;
  entityType: string;
  /** Length of the widest item in the group; its entity type is the group's. */
  widest: number;
}

/** Clamps to the text, drops empty items, widens to code point boundaries, sorts. */
function normalize(text: string, items: readonly RedactionItem[]): RedactionItem[] {
  const out: RedactionItem[] = [];
  for (const it of items) {
    let start = Math.max(0, Math.min(text.length, Math.floor(it.start)));
    let end = Math.max(0, Math.min(text.length, Math.floor(it.end)));
    if (!(end > start)) continue;
    if (isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) start--;
    if (isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1))) end++;
    out.push({ start, end, entityType: it.entityType });
  }
  // Stable sort: among equal spans the caller's order decides.
  return out.sort((a, b) => a.start - b.start);
}

function mergeOverlapping(items: readonly RedactionItem[]): Group[] {
  const groups: Group[] = [];
  for (const it of items) {
    const last = groups[groups.length - 1];
    const width = it.end - it.start;
    if (last && it.start < last.end) {
      last.end = Math.max(last.end, it.end);
      if (width > last.widest) {
        last.widest = width;
        last.entityType = it.entityType;
      }
    } else {
      groups.push({ start: it.start, end: it.end, entityType: it.entityType, widest: width });
    }
  }
  return groups;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
