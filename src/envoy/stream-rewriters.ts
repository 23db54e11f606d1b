/**
 * Rewrites a streamed answer chunk by chunk so that only scanned (and redacted) text reaches
 * the client: each chunk is answered with what the hold-back windows (window-streams.ts)
 * release, and a BLOCK ends the body with a marker the API's clients raise as an error.
 *
 * SseRewriter keeps the event framing: untouched events pass byte for byte; an event carrying
 * generated text gets the released text in place of its delta (editJsonStrings, so the rest of
 * the event is unchanged); text held back when a stream ends goes out in a copy of that
 * stream's last delta event, placed before the event that ended it.
 */
import type { ActionName } from '../detectors/types.js';
import { moreSevere } from '../engine/decide-action.js';
import { sseBlockedTail, textBlockedTail, type BlockInfo } from './blocked-bodies.js';
import { editJsonValues, type JsonPath, type StringEdit } from './json-string-edits.js';
import type { LlmApi } from './llm-api-route.js';
import { keyUnder, planStreamEvent, type StreamPiece } from './llm-stream-events.js';
import { SseParser, withData, type SseEvent } from './sse-parser.js';
import type { WindowStep, WindowStreams } from './window-streams.js';

/** What a streamed answer amounted to, for headers and metadata. */
export interface StreamVerdict {
  action: ActionName;
  threatTypes: string[];
  scanId: string;
  policyVersion: string;
  blocked: BlockInfo | undefined;
}

abstract class StreamRewriter {
  protected verdict: StreamVerdict = { action: 'ALLOW', threatTypes: [], scanId: '', policyVersion: '', blocked: undefined };

  constructor(protected readonly windows: WindowStreams) {}

  get result(): StreamVerdict {
    return this.verdict;
  }

  /** The text to send for this chunk. After a block: "" for every later chunk. */
  abstract chunk(bytes: Uint8Array, end: boolean): Promise<string>;

  /** Records a step; returns the block it caused, if any. */
  protected record(step: WindowStep): BlockInfo | undefined {
    const v = this.verdict;
    if (!v.scanId && step.scanId) v.scanId = step.scanId;
    if (step.policyVersion) v.policyVersion = step.policyVersion;
    for (const t of step.threatTypes) if (!v.threatTypes.includes(t)) v.threatTypes.push(t);
    if (step.error) {
      v.blocked = { reason: 'scan_failed', threatTypes: v.threatTypes, scanId: v.scanId };
      v.action = 'BLOCK';
    } else {
      v.action = moreSevere(v.action, step.action);
      if (step.action === 'BLOCK') v.blocked = { reason: 'blocked', threatTypes: v.threatTypes, scanId: v.scanId };
    }
    return v.blocked;
  }
}

/** A text body (not SSE) streamed in chunks: one logical stream. */
export class TextStreamRewriter extends StreamRewriter {
  private readonly decoder = new TextDecoder();
  private ended = false;

  async chunk(bytes: Uint8Array, end: boolean): Promise<string> {
    if (this.verdict.blocked || this.ended) return '';
    const text = this.decoder.decode(bytes, { stream: !end });
    if (text === '' && !end) return '';
    this.ended = end;
    const step = await this.windows.next('text', text, end);
    const block = this.record(step);
    return block ? textBlockedTail(block) : step.released;
  }
}

interface Template {
  event: SseEvent;
  path: JsonPath;
  /** Other generated-text paths of the template event, blanked in copies. */
  others: JsonPath[];
}

/** An SSE answer of an LLM API (or any SSE: then each event's data is the text). */
export class SseRewriter extends StreamRewriter {
  private readonly parser = new SseParser();
  private readonly open = new Set<string>();
  private readonly templates = new Map<string, Template>();
  /** Released text per stream so far (Responses API events repeat the full text). */
  private readonly releasedSoFar = new Map<string, string>();
  private terminated = false;

  constructor(
    windows: WindowStreams,
    private readonly api: LlmApi | undefined,
  ) {
    super(windows);
  }

  async chunk(bytes: Uint8Array, end: boolean): Promise<string> {
    if (this.verdict.blocked) return '';
    const events = this.parser.push(bytes);
    if (end) events.push(...this.parser.end());
    let out = '';
    for (const event of events) {
      out += await this.event(event);
      if (this.verdict.blocked) return out + sseBlockedTail(this.verdict.blocked, this.api);
    }
    if (end && !this.terminated) {
      out += await this.flush([...this.open]);
      if (this.verdict.blocked) return out + sseBlockedTail(this.verdict.blocked, this.api);
    }
    return out;
  }

  private async event(event: SseEvent): Promise<string> {
    // Nothing may follow [DONE]; data that does would pass unscanned, so it is dropped.
    if (this.terminated) return event.hasData ? '' : event.raw;
    const plan = planStreamEvent(this.api, event);
    if (plan.terminal) this.terminated = true;
    const ending = new Set(plan.endAll ? this.open : [...this.open].filter((k) => plan.endKeys.some((p) => keyUnder(k, p))));
    const endsWithEvent = (key: string): boolean => plan.endAll || plan.endKeys.some((p) => keyUnder(key, p));
    const withPiece = new Set(plan.pieces.map((p) => p.key));
    // Held-back text of streams that end here without a piece of their own goes out first.
    let prefix = await this.flush([...ending].filter((k) => !withPiece.has(k)));
    if (this.verdict.blocked) return prefix;

    const edits: StringEdit[] = [];
    for (const piece of plan.pieces) {
      const final = endsWithEvent(piece.key);
      const step = await this.windows.next(piece.key, piece.text, final);
      if (this.record(step)) return prefix;
      this.remember(piece.key, step.released, final);
      this.templates.set(piece.key, { event, path: piece.path, others: plan.pieces.filter((p) => p !== piece).map((p) => p.path) });
      if (step.released !== piece.text) edits.push({ path: piece.path, value: step.released });
    }
    for (const full of plan.fullTexts) {
      const value = await this.fullText(full);
      if (this.verdict.blocked) return prefix;
      if (value !== full.text) edits.push({ path: full.path, value });
    }
    if (edits.length === 0) return prefix + event.raw;
    prefix += withData(event, editData(event.data, edits));
    return prefix;
  }

  /** What was released for a stream, or (when its text never streamed) the text scanned now. */
  private async fullText(full: StreamPiece): Promise<string> {
    const known = this.releasedSoFar.get(full.key);
    if (known !== undefined) return known;
    const step = await this.windows.next(`${full.key}#full`, full.text, true);
    this.record(step);
    return step.released;
  }

  /** Ends streams: their held-back text goes out in copies of their last delta events. */
  private async flush(keys: string[]): Promise<string> {
    let out = '';
    for (const key of keys) {
      const step = await this.windows.next(key, '', true);
      if (this.record(step)) return out;
      this.remember(key, step.released, true);
      const template = this.templates.get(key);
      if (step.released === '' || !template) continue;
      const edits: StringEdit[] = [{ path: template.path, value: step.released }, ...template.others.map((path) => ({ path, value: '' }))];
      out += withData(template.event, editData(template.event.data, edits));
    }
    return out;
  }

  private remember(key: string, released: string, final: boolean): void {
    this.releasedSoFar.set(key, (this.releasedSoFar.get(key) ?? '') + released);
    if (final) this.open.delete(key);
    else this.open.add(key);
  }
}

/**
 * Applies edits to event data: a path of [] replaces the whole data (data that is not JSON);
 * otherwise in place, or re-serialised when the data has duplicate keys (json-string-edits.ts).
 */
function editData(data: string, edits: readonly StringEdit[]): string {
  const whole = edits.find((e) => e.path.length === 0);
  if (whole) return whole.value;
  return editJsonValues(data, edits);
}
