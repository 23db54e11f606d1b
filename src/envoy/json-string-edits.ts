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
  new Locator(json, wanted, prefixes, found).document();
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

/**
 * {@link editJsonStrings}, or, for JSON it refuses to edit in place (a duplicate key on an edited
 * path), the parsed value re-serialised with the edits. The paths were read from the parsed
 * form (where the last duplicate wins), so either way the result carries exactly the text that
 * was scanned. Throws JsonEditError for text that is not JSON.
 */
export function editJsonValues(json: string, edits: readonly StringEdit[]): string {
  try {
    return editJsonStrings(json, edits);
  } catch (err) {
    if (!(err instanceof JsonEditError)) throw err;
    let root: unknown;
    try {
      root = JSON.parse(json);
    } catch {
      throw err;
    }
    for (const edit of edits) setAt(root, edit.path, edit.value);
    return JSON.stringify(root);
  }
}

function setAt(root: unknown, path: JsonPath, value: string): void {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

/** An open object or array while walking: whether its path is tracked, and where it is. */
interface OpenContainer {
  readonly close: '}' | ']';
  readonly tracked: boolean;
  /** Keys seen in a tracked object (duplicates on an edited path are refused). */
  readonly seen: Set<string> | undefined;
  index: number;
  /** The current member's key or index was pushed onto the path. */
  pushed: boolean;
}

/**
 * A walk that validates the JSON and records the wanted string literals. Iterative, with an
 * explicit stack: request bodies come from outside, and a megabyte of "[" would overflow the
 * call stack of a recursive descent (JSON.parse itself accepts such nesting).
 */
class Locator {
  private pos = 0;
  private readonly path: Array<string | number> = [];
  private readonly open: OpenContainer[] = [];

  constructor(
    private readonly text: string,
    private readonly wanted: ReadonlyMap<string, string>,
    private readonly prefixes: ReadonlySet<string>,
    private readonly found: Array<{ start: number; end: number; value: string }>,
  ) {}

  document(): void {
    let tracked = true;
    for (;;) {
      tracked = this.value(tracked);
      if (this.open.length === 0) break;
    }
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

  /**
   * Reads one value (`tracked`: its path is a prefix of an edited path, so keys and positions
   * matter). Opening a non-empty container returns at its first member; otherwise moves past
   * the value and every container it completes. Returns whether the next value is tracked.
   */
  private value(tracked: boolean): boolean {
    this.space();
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      this.pos++;
      this.space();
      const close = c === '{' ? '}' : ']';
      if (this.text[this.pos] === close) this.pos++;
      else {
        const container: OpenContainer = { close, tracked, seen: tracked && c === '{' ? new Set() : undefined, index: 0, pushed: false };
        this.open.push(container);
        return this.member(container);
      }
    } else if (c === '"') {
      const start = this.pos;
      this.string();
      const value = tracked ? this.wanted.get(pathKey(this.path)) : undefined;
      if (value !== undefined) this.found.push({ start, end: this.pos, value });
    } else this.literal();
    return this.next();
  }

  /** After a value: closes finished containers; returns whether the next member is tracked. */
  private next(): boolean {
    for (;;) {
      const container = this.open.at(-1);
      if (!container) return false;
      if (container.pushed) {
        this.path.pop();
        container.pushed = false;
      }
      this.space();
      const c = this.text[this.pos++];
      if (c === container.close) {
        this.open.pop();
        continue;
      }
      if (c !== ',') this.fail();
      container.index++;
      return this.member(container);
    }
  }

  /** Starts a member: an object's key and colon, or an array's next index. */
  private member(container: OpenContainer): boolean {
    let step: string | number = container.index;
    if (container.close === '}') {
      this.space();
      if (this.text[this.pos] !== '"') this.fail();
      const keyStart = this.pos;
      this.string();
      step = container.tracked ? (JSON.parse(this.text.slice(keyStart, this.pos)) as string) : '';
      if (container.seen) {
        if (container.seen.has(step) && this.inside(step, true)) throw new JsonEditError('duplicate key on an edited path');
        container.seen.add(step);
      }
      this.space();
      if (this.text[this.pos] !== ':') this.fail();
      this.pos++;
    }
    const inside = this.inside(step, container.tracked);
    if (inside) {
      this.path.push(step);
      container.pushed = true;
    }
    return inside;
  }

  /** Whether the member `step` of the current (tracked) container lies on an edited path. */
  private inside(step: string | number, tracked: boolean): boolean {
    if (!tracked) return false;
    this.path.push(step);
    const inside = this.prefixes.has(pathKey(this.path));
    this.path.pop();
    return inside;
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
