/**
 * The text inside LLM API JSON bodies, with where it sits, so it can be scanned and the
 * redacted text written back to the same places (json-string-edits.ts).
 *
 * Requests: the text the model will read from the caller: user and tool messages (string
 * contents and text parts of content arrays, tool results), completion prompts, embedding
 * inputs. Assistant turns in the history are the model's own earlier output and are not
 * scanned as input. System / developer messages and `instructions` are not scanned as input
 * either: they are the application's own prompt, recorded as `systemPrompt` for leak
 * detection on the answer.
 *
 * Responses: assistant text, refusals and tool-call arguments.
 */
import type { JsonPath } from './json-string-edits.js';
import type { LlmApi } from './llm-api-route.js';

/** One string value of the body that is scanned. */
export interface TextSegment {
  path: JsonPath;
  text: string;
}

export interface RequestTexts {
  segments: TextSegment[];
  /** System / developer instructions, joined by blank lines ("" if none). */
  systemPrompt: string;
  /** The request asks for a streamed (SSE) answer. */
  stream: boolean;
}

type Json = unknown;

/**
 * Deepest path the walkers follow. Real bodies nest a handful of levels; a hostile one can nest
 * tool results or tool inputs thousands deep (a recursive walk would overflow the stack, and
 * paths that long make editing quadratic), so deeper text is not located: the caller scans
 * the whole body instead (body-texts.ts), which leaves nothing unscanned.
 */
export const MAX_SEGMENT_PATH = 64;

/** The body nests text deeper than {@link MAX_SEGMENT_PATH}. */
export class JsonTooDeepError extends Error {
  override name = 'JsonTooDeepError';
}

function checkDepth(path: JsonPath): void {
  if (path.length > MAX_SEGMENT_PATH) throw new JsonTooDeepError(`text nested deeper than ${MAX_SEGMENT_PATH} levels`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: Json): v is string {
  return typeof v === 'string';
}

/** Part types whose `text` the model reads as text. */
const TEXT_PARTS = new Set(['text', 'input_text', 'output_text']);

/**
 * Text of a message content: a string, or an array of parts. Unknown part types (images,
 * audio, files) carry no scannable text. Anthropic `tool_result` blocks nest a content of
 * their own.
 */
function contentSegments(content: Json, path: JsonPath, out: TextSegment[]): void {
  checkDepth(path);
  if (str(content)) {
    out.push({ path, text: content });
    return;
  }
  if (!Array.isArray(content)) return;
  content.forEach((part, i) => {
    if (str(part)) {
      out.push({ path: [...path, i], text: part });
      return;
    }
    if (!isObject(part)) return;
    const type = part.type;
    if ((type === undefined || (str(type) && TEXT_PARTS.has(type))) && str(part.text)) out.push({ path: [...path, i, 'text'], text: part.text });
    else if (type === 'refusal' && str(part.refusal)) out.push({ path: [...path, i, 'refusal'], text: part.refusal });
    else if (type === 'tool_result') contentSegments(part.content, [...path, i, 'content'], out);
  });
}

function textOf(content: Json): string {
  const parts: TextSegment[] = [];
  contentSegments(content, [], parts);
  return parts.map((p) => p.text).join('\n');
}

const SYSTEM_ROLES = new Set(['system', 'developer']);

/** Strings, or arrays of strings (token-id arrays carry no text). */
function stringOrStrings(value: Json, path: JsonPath, out: TextSegment[]): void {
  if (str(value)) out.push({ path, text: value });
  else if (Array.isArray(value)) value.forEach((v, i) => str(v) && out.push({ path: [...path, i], text: v }));
}

/** Chat-style message lists (OpenAI chat, Anthropic messages, Responses input items). */
function messageList(messages: Json, path: JsonPath, segments: TextSegment[], system: string[]): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((m, i) => {
    if (!isObject(m)) return;
    const role = str(m.role) ? m.role : '';
    if (SYSTEM_ROLES.has(role)) {
      system.push(textOf(m.content));
      return;
    }
    // Responses API: a tool's output comes back as an item of its own.
    if (m.type === 'function_call_output' || m.type === 'custom_tool_call_output') {
      contentSegments(m.output, [...path, i, 'output'], segments);
      return;
    }
    if (role === 'assistant' || m.type === 'function_call' || m.type === 'reasoning') return;
    contentSegments(m.content, [...path, i, 'content'], segments);
  });
}

/** The scannable text of a request body (already parsed JSON). Throws only {@link JsonTooDeepError}. */
export function requestTexts(api: LlmApi, body: Json): RequestTexts {
  const segments: TextSegment[] = [];
  const system: string[] = [];
  if (!isObject(body)) return { segments, systemPrompt: '', stream: false };
  switch (api) {
    case 'openai.chat':
      messageList(body.messages, ['messages'], segments, system);
      break;
    case 'openai.completions':
      stringOrStrings(body.prompt, ['prompt'], segments);
      if (str(body.suffix)) segments.push({ path: ['suffix'], text: body.suffix });
      break;
    case 'openai.embeddings':
      stringOrStrings(body.input, ['input'], segments);
      break;
    case 'openai.responses':
      if (str(body.instructions)) system.push(body.instructions);
      if (str(body.input)) segments.push({ path: ['input'], text: body.input });
      else messageList(body.input, ['input'], segments, system);
      break;
    case 'anthropic.messages':
      if (body.system !== undefined) system.push(textOf(body.system));
      messageList(body.messages, ['messages'], segments, system);
      break;
  }
  return { segments, systemPrompt: system.filter((s) => s !== '').join('\n\n'), stream: body.stream === true };
}

/** Every string leaf of a value (Anthropic tool_use `input` is an object, not a string). */
function stringLeaves(value: Json, path: JsonPath, out: TextSegment[]): void {
  checkDepth(path);
  if (str(value)) out.push({ path, text: value });
  else if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, [...path, i], out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) stringLeaves(v, [...path, k], out);
}

/** Assistant content, refusals and tool-call arguments of a non-streamed answer. Throws only {@link JsonTooDeepError}. */
export function responseTexts(api: LlmApi, body: Json): TextSegment[] {
  const out: TextSegment[] = [];
  if (!isObject(body)) return out;
  switch (api) {
    case 'openai.chat':
      if (!Array.isArray(body.choices)) break;
      body.choices.forEach((choice, c) => {
        if (!isObject(choice) || !isObject(choice.message)) return;
        const m = choice.message;
        const base: JsonPath = ['choices', c, 'message'];
        contentSegments(m.content, [...base, 'content'], out);
        if (str(m.refusal)) out.push({ path: [...base, 'refusal'], text: m.refusal });
        if (Array.isArray(m.tool_calls)) {
          m.tool_calls.forEach((call, t) => {
            if (isObject(call) && isObject(call.function) && str(call.function.arguments)) {
              out.push({ path: [...base, 'tool_calls', t, 'function', 'arguments'], text: call.function.arguments });
            }
          });
        }
        if (isObject(m.function_call) && str(m.function_call.arguments)) {
          out.push({ path: [...base, 'function_call', 'arguments'], text: m.function_call.arguments });
        }
      });
      break;
    case 'openai.completions':
      if (Array.isArray(body.choices)) {
        body.choices.forEach((choice, c) => isObject(choice) && str(choice.text) && out.push({ path: ['choices', c, 'text'], text: choice.text }));
      }
      break;
    case 'openai.responses':
      if (Array.isArray(body.output)) body.output.forEach((item, i) => outputItemTexts(item, ['output', i], out));
      if (str(body.output_text)) out.push({ path: ['output_text'], text: body.output_text });
      break;
    case 'anthropic.messages':
      if (!Array.isArray(body.content)) break;
      body.content.forEach((block, i) => {
        if (!isObject(block)) return;
        if (block.type === 'text' && str(block.text)) out.push({ path: ['content', i, 'text'], text: block.text });
        else if (block.type === 'tool_use') stringLeaves(block.input, ['content', i, 'input'], out);
      });
      break;
    case 'openai.embeddings':
      break;
  }
  return out;
}

/** Texts of one Responses API output item (a message or a function call). */
export function outputItemTexts(item: Json, path: JsonPath, out: TextSegment[]): void {
  if (!isObject(item)) return;
  if (item.type === 'message' || item.content !== undefined) contentSegments(item.content, [...path, 'content'], out);
  if (str(item.arguments)) out.push({ path: [...path, 'arguments'], text: item.arguments });
}
