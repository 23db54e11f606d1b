/**
 * What a caller receives instead of blocked content: JSON error bodies shaped like the API's
 * own errors (OpenAI `{"error":{...}}`, Anthropic `{"type":"error","error":{...}}`) and the
 * markers that end a streamed answer. They name threat types and the scan id, never content.
 */
import type { LlmApi } from './llm-api-route.js';

export type BlockReason =
  /** The policy blocked the content. */
  | 'blocked'
  /** The body was truncated or could not be read, and the policy fails closed. */
  | 'unscannable'
  /** Scanning failed (overload, deadline) mid-stream. */
  | 'scan_failed';

export interface BlockInfo {
  reason: BlockReason;
  /** Threat types (e.g. PROMPT_INJECTION), deduplicated, in order of appearance. */
  threatTypes: string[];
  scanId: string;
}

const MESSAGES: Record<BlockReason, string> = {
  blocked: 'The content was blocked by the security policy.',
  unscannable: 'The content could not be scanned completely and the security policy does not allow it unscanned.',
  scan_failed: 'The security scan failed; the rest of the content was withheld.',
};

const TYPES: Record<BlockReason, string> = {
  blocked: 'bulwark_blocked',
  unscannable: 'bulwark_unscannable',
  scan_failed: 'bulwark_scan_failed',
};

function details(info: BlockInfo): Record<string, unknown> {
  return { type: TYPES[info.reason], code: TYPES[info.reason], message: MESSAGES[info.reason], threat_types: info.threatTypes, scan_id: info.scanId };
}

/** The JSON body of a 403 (or 413/502) local reply. */
export function blockedJson(info: BlockInfo, api?: LlmApi): string {
  if (api === 'anthropic.messages') return JSON.stringify({ type: 'error', error: details(info) });
  return JSON.stringify({ error: details(info) });
}

/**
 * Ends an SSE answer whose headers have already gone out: an error event the API's clients
 * raise as an error, then the API's end marker.
 */
export function sseBlockedTail(info: BlockInfo, api: LlmApi | undefined): string {
  const d = details(info);
  switch (api) {
    case 'anthropic.messages':
      return `event: error\ndata: ${JSON.stringify({ type: 'error', error: d })}\n\n`;
    case 'openai.responses':
      return `event: error\ndata: ${JSON.stringify({ type: 'error', code: d.code, message: d.message, param: null, threat_types: d.threat_types, scan_id: d.scan_id })}\n\n`;
    default:
      return `data: ${JSON.stringify({ error: d })}\n\ndata: [DONE]\n\n`;
  }
}

/** Ends a plain-text answer whose headers have already gone out. */
export function textBlockedTail(info: BlockInfo): string {
  return `\n\n[${TYPES[info.reason]}: ${MESSAGES[info.reason]} scan_id=${info.scanId}]\n`;
}

/** Threat types of a list of threats, deduplicated in order. */
export function threatTypesOf(threats: ReadonlyArray<{ type: string }>): string[] {
  return [...new Set(threats.map((t) => t.type))];
}
