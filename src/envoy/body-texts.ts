/**
 * The values of an HTTP body that get scanned, by content kind and LLM API: located strings
 * of an LLM API JSON body (rewritten in place on REDACT), or the whole body as one text.
 */
import type { ContentKind } from './content-kind.js';
import { JsonTooDeepError, requestTexts, responseTexts, type TextSegment } from './llm-api-bodies.js';
import type { LlmApi } from './llm-api-route.js';

export interface BodyTexts {
  /** `json`: segments are string values inside the JSON; `whole`: one segment, the body text. */
  layout: 'json' | 'whole';
  segments: TextSegment[];
  /** The application's system prompt seen in a request ("" otherwise). */
  systemPrompt: string;
  /** A request that asks for a streamed answer. */
  stream: boolean;
}

function whole(text: string): BodyTexts {
  return { layout: 'whole', segments: text === '' ? [] : [{ path: [], text }], systemPrompt: '', stream: false };
}

function parsed(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Text nested too deep to locate: the body is scanned whole instead. */
function located(locate: () => BodyTexts, text: string): BodyTexts {
  try {
    return locate();
  } catch (err) {
    if (err instanceof JsonTooDeepError) return whole(text);
    throw err;
  }
}

/**
 * A body of an LLM API that is not valid JSON, or nests its text too deep to locate, is scanned
 * whole: whatever the upstream makes of it, nothing in it passes unscanned.
 */
export function requestBodyTexts(api: LlmApi | undefined, kind: ContentKind, text: string): BodyTexts {
  if (!api || kind !== 'json') return whole(text);
  const json = parsed(text);
  if (!json.ok) return whole(text);
  return located(() => {
    const texts = requestTexts(api, json.value);
    return { layout: 'json', segments: texts.segments, systemPrompt: texts.systemPrompt, stream: texts.stream };
  }, text);
}

export function responseBodyTexts(api: LlmApi | undefined, kind: ContentKind, text: string): BodyTexts {
  if (!api || kind !== 'json') return whole(text);
  const json = parsed(text);
  if (!json.ok) return whole(text);
  return located(() => ({ layout: 'json', segments: responseTexts(api, json.value), systemPrompt: '', stream: false }), text);
}
