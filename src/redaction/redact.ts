// STUB: replaced by the real redaction (see operators.ts).
import type { OperatorConfig } from '../policy/types.js';

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

/** Applies each item's operator; overlapping items are merged (the widest span wins). */
export function redact(text: string, items: RedactionItem[], _ctx: RedactionContext): string {
  let out = text;
  for (const it of [...items].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, it.start) + `<${it.entityType}>` + out.slice(it.end);
  }
  return out;
}
