/**
 * Rewrites string values inside a JSON text in place: every byte outside the replaced string
 * literals stays as it was (key order, spacing, big integers JSON.parse would round). Used to
 * put redacted text back into LLM API bodies and SSE event data so they stay valid JSON.
 */

/** A location in a JSON document: object keys and array indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>;

export interface StringEdit {
  path: JsonPath;
  value: string;
}

/** Thrown for text that is not JSON, or that has a duplicate key on an edited path. */
export class JsonEditError extends Error {
  override name = 'JsonEditError';
}

const pathKey = (path: JsonPath): string => JSON.stringify(path);

/**
 * Applies the edits; every edited path must hold a string. Duplicate keys on the way to an
 * edited value are refused: JSON parsers disagree on which duplicate wins, and the upstream
 * must not read a value other than the one that was scanned.
 */
export function editJsonStrings(json: string, edits: readonly StringEdit[]): string {
  if (edits.length === 0) return json;
  const wanted = new Map<string, string>();
  const prefixes = new Set<string>();
  for (const edit of edits) {
    wanted.set(pathKey(edit.path), edit.value);
    for (let i = 0; i <= edit.path.length; i++) prefixes.add(pathKey(edit.path.slice(0, i)));
  }
  const found: Array<{ start: number; end: number; value: string }> = [];
  const locator = new Locator(json, wanted, prefixes, found);
  locator.document();
  if (found.length !== wanted.size) throw new JsonEditError('an edited path does not hold a string');
  found.sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const f of found) {
    out += json.slice(cursor, f.start) + JSON.stringify(f.value);
    cursor = f.end;
  }
  return out + json.slice(cursor);
}

/** A recursive-descent walk that validates the JSON and records the wanted string literals. */
class Locator {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly wanted: ReadonlyMap<string, string>,
    private readonly prefixes: ReadonlySet<string>,
    private readonly found: Array<{ start: number; end: number; value: string }>,
  ) {}

  document(): void {
    this.value([], true);
    this.space();
    if (this.pos !== this.text.length) this.fail();
  }

  private fail(): never {
    throw new JsonEditError(`invalid JSON at offset ${this.pos}`);
  }

  private space(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  /** `tracked`: the path is a prefix of an edited path, so keys and positions matter. */
  private value(path: Array<string | number>, tracked: boolean): void {
    this.space();
    const c = this.text[this.pos];
    if (c === '{') this.object(path, tracked);
    else if (c === '[') this.array(path, tracked);
    else if (c === '"') {
      const start = this.pos;
      this.string();
      const value = tracked ? this.wanted.get(pathKey(path)) : undefined;
      if (value !== undefined) this.found.push({ start, end: this.pos, value });
    } else this.literal();
  }

  private child(path: Array<string | number>, step: string | number, tracked: boolean): boolean {
    if (!tracked) return false;
    path.push(step);
    const inside = this.prefixes.has(pathKey(path));
    path.pop();
    return inside;
  }

  private object(path: Array<string | number>, tracked: boolean): void {
    this.pos++;
    this.space();
    const seen = tracked ? new Set<string>() : undefined;
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail();
      const keyStart = this.pos;
      this.string();
      const key = tracked ? (JSON.parse(this.text.slice(keyStart, this.pos)) as string) : '';
      if (seen) {
        if (seen.has(key) && this.child(path, key, tracked)) throw new JsonEditError('duplicate key on an edited path');
        seen.add(key);
      }
      this.space();
      if (this.text[this.pos] !== ':') this.fail();
      this.pos++;
      const inside = this.child(path, key, tracked);
      if (inside) path.push(key);
      this.value(path, inside);
      if (inside) path.pop();
      this.space();
      const next = this.text[this.pos++];
      if (next === '}') return;
      if (next !== ',') this.fail();
    }
  }

  private array(path: Array<string | number>, tracked: boolean): void {
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      const inside = this.child(path, index, tracked);
      if (inside) path.push(index);
      this.value(path, inside);
      if (inside) path.pop();
      this.space();
      const next = this.text[this.pos++];
      if (next === ']') return;
      if (next !== ',') this.fail();
    }
  }

  /** Skips a string literal (pos at the opening quote). */
  private string(): void {
    this.pos++;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c) || c < 0x20) this.fail();
      this.pos++;
      if (c === 0x22) return;
      if (c === 0x5c) {
        if (this.pos >= this.text.length) this.fail();
        this.pos++;
      }
    }
  }

  private literal(): void {
    const start = this.pos;
    while (this.pos < this.text.length && /[-+0-9.eEa-z]/.test(this.text[this.pos]!)) this.pos++;
    const word = this.text.slice(start, this.pos);
    if (!(word === 'true' || word === 'false' || word === 'null' || /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(word))) this.fail();
  }
}
