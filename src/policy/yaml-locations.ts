/**
 * Maps a field path inside a parsed YAML document back to a line number, so that every
 * policy validation error can say exactly where the problem is ("policy.yaml:9 spec.threats.PII.action").
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A field path: map keys and sequence indices, e.g. ["spec", "customRules", 0, "pattern"]. */
export type FieldPath = ReadonlyArray<string | number>;

/** Renders a path the way users write it: `spec.customRules[0].pattern`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Finds lines of fields in one document of a multi-document file. */
export class DocumentLocator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
    /** The file name as it should appear in messages. */
    readonly sourceName: string,
  ) {}

  /** 1-based line where the document's content starts. */
  documentLine(): number {
    const start = this.doc.contents?.range[0] ?? this.doc.range[0];
    return this.lineCounter.linePos(start).line;
  }

  /**
   * The line of the deepest node on `path` that exists. With `at: 'key'` a map entry is
   * located by its key (used for "unknown field" errors, where the value may span lines).
   */
  line(path: FieldPath, at: 'key' | 'value' = 'value'): number {
    let node: unknown = this.doc.contents;
    let offset = this.doc.contents?.range[0] ?? this.doc.range[0];
    for (let i = 0; i < path.length; i++) {
      node = this.resolve(node);
      const segment = path[i];
      const isLast = i === path.length - 1;
      if (isMap(node) && typeof segment === 'string') {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
        if (!pair) break;
        const keyNode = pair.key as Node;
        offset = keyNode.range?.[0] ?? offset;
        if (isLast && at === 'key') break;
        node = pair.value;
        const valueStart = (this.resolve(node) as Node | null)?.range?.[0];
        if (valueStart !== undefined && !isAlias(node)) offset = valueStart;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) break;
        node = item;
        const itemStart = (node as Node | null)?.range?.[0];
        if (itemStart !== undefined) offset = itemStart;
      } else {
        break;
      }
    }
    return this.lineCounter.linePos(offset).line;
  }

  /** "policy.yaml:9 spec.threats.PII.action" */
  location(path: FieldPath, at: 'key' | 'value' = 'value'): string {
    const field = formatFieldPath(path);
    const line = this.line(path, at);
    return field ? `${this.sourceName}:${line} ${field}` : `${this.sourceName}:${line}`;
  }

  private resolve(node: unknown): unknown {
    // An alias's target has its own range; follow it so nested paths still resolve.
    return isAlias(node) ? node.resolve(this.doc) : node;
  }
}
