/**
 * What an OUTPUT scan of a model's answer needs from the request that produced it, read from
 * the request body of the common LLM APIs. For transports that see the request and its
 * response separately (the Envoy ext_proc path): call this on the request body, keep the
 * result with the stream, and put its fields on the response's ScanTask
 * (`systemPrompt`, `inputContent`). Pure: plain JSON in, strings out.
 *
 * Understood shapes:
 *  - OpenAI Chat Completions: `messages[]` with roles system/developer (system prompt) and
 *    user/tool/function (input); content a string or a list of `{type: "text", text}` parts.
 *  - OpenAI Responses: `instructions` (system prompt) and `input` (a string or messages).
 *  - Anthropic Messages: `system` (a string or text blocks) and `messages[]`, whose content
 *    may hold `tool_result` blocks.
 * The input is the last user message and every tool result after it: injections arrive
 * through both.
 */

/** Bounds each field (the sidecar's content limit applies again at scan time). */
const MAX_FIELD_CHARS = 256 * 1024;

export interface OutputScanContext {
  systemPrompt?: string;
  inputContent?: string;
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a content value: a string, a list of text/tool_result parts, or a part. */
function textOf(content: Json): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(textOf).filter((t) => t !== '').join('\n');
  if (!isObject(content)) return '';
  if (typeof content.text === 'string') return content.text;
  if (content.type === 'tool_result' || content.type === 'function_call_output') return textOf(content.content ?? content.output);
  if (typeof content.content === 'string' || Array.isArray(content.content)) return textOf(content.content);
  return '';
}

function bounded(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return t.length > MAX_FIELD_CHARS ? t.slice(0, MAX_FIELD_CHARS) : t;
}

/** The system prompt and the input of an LLM API request body (parsed JSON); fields absent when not found. */
export function outputScanContextOf(body: Json): OutputScanContext {
  if (!isObject(body)) return {};
  const system: string[] = [];
  if (typeof body.instructions === 'string') system.push(body.instructions);
  if (body.system !== undefined) system.push(textOf(body.system));
  const messages: Json[] = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  let input: string[] = [];
  for (const message of messages) {
    if (!isObject(message)) continue;
    const role = message.role ?? (message.type === 'function_call_output' ? 'tool' : undefined);
    const text = textOf(message.content ?? message.output);
    if (role === 'system' || role === 'developer') system.push(text);
    else if (role === 'user') input = [text];
    else if (role === 'tool' || role === 'function') input.push(text);
  }
  if (typeof body.input === 'string') input = [body.input];
  const out: OutputScanContext = {};
  const systemPrompt = bounded(system.filter((s) => s !== '').join('\n\n'));
  const inputContent = bounded(input.filter((s) => s !== '').join('\n\n'));
  if (systemPrompt !== undefined) out.systemPrompt = systemPrompt;
  if (inputContent !== undefined) out.inputContent = inputContent;
  return out;
}
