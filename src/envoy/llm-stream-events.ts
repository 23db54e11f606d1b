/**
 * What one server-sent event of a streamed LLM answer carries, as text streams: each piece of
 * generated text belongs to a logical stream (a choice, a content block, a tool call's
 * arguments) that is scanned with the StreamScan hold-back window; some events end streams,
 * and some repeat a stream's complete text (Responses API `*.done` / `response.completed`),
 * which must then be replaced by what was released for it.
 *
 * Keys are hierarchical ("c0", "c0.tool1"); ending "c0" ends "c0" and every "c0.*".
 */
import type { JsonPath } from './json-string-edits.js';
import type { LlmApi } from './llm-api-route.js';
import type { SseEvent } from './sse-parser.js';

/** Generated text in this event; `path` is in the event's data JSON ([] = the whole data). */
export interface StreamPiece {
  key: string;
  path: JsonPath;
  text: string;
}

export interface StreamEventPlan {
  /** The event's data parsed as JSON (undefined for `[DONE]` or data that is not JSON). */
  json: unknown;
  pieces: StreamPiece[];
  /** Streams that end with this event (their held-back text goes out before or in it). */
  endKeys: string[];
  /** Every stream ends with this event. */
  endAll: boolean;
  /** Complete texts this event repeats; replaced by what was released for `key`. */
  fullTexts: StreamPiece[];
  /** `data: [DONE]`: nothing follows. */
  terminal: boolean;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Json): v is string => typeof v === 'string';
const int = (v: Json, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) ? v : fallback);

function emptyPlan(json: Json): StreamEventPlan {
  return { json, pieces: [], endKeys: [], endAll: false, fullTexts: [], terminal: false };
}

/** True when `key` is `prefix` or lies under it. */
export function keyUnder(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}.`);
}

/**
 * The plan for one event. For an unknown API, or data that is not JSON, the whole data is one
 * text piece of stream "data" (so nothing unscanned passes).
 */
export function planStreamEvent(api: LlmApi | undefined, event: SseEvent): StreamEventPlan {
  if (!event.hasData) return emptyPlan(undefined);
  if (event.data.trim() === '[DONE]') return { ...emptyPlan(undefined), endAll: true, terminal: true };
  let json: Json;
  try {
    json = JSON.parse(event.data);
  } catch {
    return { ...emptyPlan(undefined), pieces: [{ key: 'data', path: [], text: event.data }] };
  }
  const plan = emptyPlan(json);
  if (!isObject(json)) return plan;
  switch (api) {
    case 'openai.chat':
    case 'openai.completions':
      choiceDeltas(json, plan);
      break;
    case 'openai.responses':
      responsesEvent(json, plan);
      break;
    case 'anthropic.messages':
      anthropicEvent(json, plan);
      break;
    case 'openai.embeddings':
      break;
    default:
      plan.pieces.push({ key: 'data', path: [], text: event.data });
  }
  return plan;
}

/** OpenAI chat.completion.chunk / text_completion chunks. */
function choiceDeltas(json: Record<string, Json>, plan: StreamEventPlan): void {
  if (!Array.isArray(json.choices)) return;
  json.choices.forEach((choice, c) => {
    if (!isObject(choice)) return;
    const key = `c${int(choice.index, c)}`;
    if (str(choice.text)) plan.pieces.push({ key, path: ['choices', c, 'text'], text: choice.text });
    const delta = choice.delta;
    if (isObject(delta)) {
      const base: JsonPath = ['choices', c, 'delta'];
      if (str(delta.content)) plan.pieces.push({ key, path: [...base, 'content'], text: delta.content });
      if (str(delta.refusal)) plan.pieces.push({ key: `${key}.refusal`, path: [...base, 'refusal'], text: delta.refusal });
      if (Array.isArray(delta.tool_calls)) {
        delta.tool_calls.forEach((call, t) => {
          if (isObject(call) && isObject(call.function) && str(call.function.arguments)) {
            plan.pieces.push({ key: `${key}.tool${int(call.index, t)}`, path: [...base, 'tool_calls', t, 'function', 'arguments'], text: call.function.arguments });
          }
        });
      }
      if (isObject(delta.function_call) && str(delta.function_call.arguments)) {
        plan.pieces.push({ key: `${key}.fn`, path: [...base, 'function_call', 'arguments'], text: delta.function_call.arguments });
      }
    }
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) plan.endKeys.push(key);
  });
}

/** The stream keys of a Responses API output item's texts, with their paths under `base`. */
function outputItemFullTexts(item: Json, outputIndex: number, base: JsonPath, plan: StreamEventPlan): void {
  if (!isObject(item)) return;
  if (Array.isArray(item.content)) {
    item.content.forEach((part, j) => {
      if (!isObject(part)) return;
      if (str(part.text)) plan.fullTexts.push({ key: `o${outputIndex}.${j}`, path: [...base, 'content', j, 'text'], text: part.text });
      if (str(part.refusal)) plan.fullTexts.push({ key: `o${outputIndex}.${j}`, path: [...base, 'content', j, 'refusal'], text: part.refusal });
    });
  }
  if (str(item.arguments)) plan.fullTexts.push({ key: `o${outputIndex}.args`, path: [...base, 'arguments'], text: item.arguments });
}

/** OpenAI Responses API streaming events (`type` in the data). */
function responsesEvent(json: Record<string, Json>, plan: StreamEventPlan): void {
  const type = str(json.type) ? json.type : '';
  const oi = int(json.output_index, 0);
  const part = `o${oi}.${int(json.content_index, 0)}`;
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      if (str(json.delta)) plan.pieces.push({ key: part, path: ['delta'], text: json.delta });
      return;
    case 'response.function_call_arguments.delta':
      if (str(json.delta)) plan.pieces.push({ key: `o${oi}.args`, path: ['delta'], text: json.delta });
      return;
    case 'response.output_text.done':
      plan.endKeys.push(part);
      if (str(json.text)) plan.fullTexts.push({ key: part, path: ['text'], text: json.text });
      return;
    case 'response.refusal.done':
      plan.endKeys.push(part);
      if (str(json.refusal)) plan.fullTexts.push({ key: part, path: ['refusal'], text: json.refusal });
      return;
    case 'response.function_call_arguments.done':
      plan.endKeys.push(`o${oi}.args`);
      if (str(json.arguments)) plan.fullTexts.push({ key: `o${oi}.args`, path: ['arguments'], text: json.arguments });
      return;
    case 'response.content_part.done':
      plan.endKeys.push(part);
      if (isObject(json.part) && str(json.part.text)) plan.fullTexts.push({ key: part, path: ['part', 'text'], text: json.part.text });
      return;
    case 'response.output_item.done':
      plan.endKeys.push(`o${oi}`);
      outputItemFullTexts(json.item, oi, ['item'], plan);
      return;
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed':
      plan.endAll = true;
      if (isObject(json.response) && Array.isArray(json.response.output)) {
        json.response.output.forEach((item, i) => outputItemFullTexts(item, i, ['response', 'output', i], plan));
      }
      return;
    default:
      return;
  }
}

/** Anthropic Messages streaming events. */
function anthropicEvent(json: Record<string, Json>, plan: StreamEventPlan): void {
  const key = `b${int(json.index, 0)}`;
  switch (json.type) {
    case 'content_block_start': {
      const block = json.content_block;
      if (isObject(block) && block.type === 'text' && str(block.text) && block.text !== '') {
        plan.pieces.push({ key, path: ['content_block', 'text'], text: block.text });
      }
      return;
    }
    case 'content_block_delta': {
      const delta = json.delta;
      if (!isObject(delta)) return;
      if (delta.type === 'text_delta' && str(delta.text)) plan.pieces.push({ key, path: ['delta', 'text'], text: delta.text });
      else if (delta.type === 'input_json_delta' && str(delta.partial_json)) plan.pieces.push({ key, path: ['delta', 'partial_json'], text: delta.partial_json });
      return;
    }
    case 'content_block_stop':
      plan.endKeys.push(key);
      return;
    case 'message_stop':
      plan.endAll = true;
      return;
    default:
      return;
  }
}
