/**
 * Hook for the output guards (system-prompt leak detection, hijack checks): what the ext_proc
 * session saw in the request travels with the OUTPUT scans of the answer. The system prompt
 * is the request's system / developer messages (llm-api-bodies.ts); the input is the text the
 * model read. Both are passed to the engine as ScanTask fields (and the system prompt with the
 * first chunk of each StreamScan logical stream); the engine's output guards decide what to
 * do with them. Neither is logged or stored.
 */
import type { OutputGuardFields } from './segment-scanner.js';

/** Bounds what is carried along (a leak check needs the prompt, not megabytes of history). */
export const MAX_GUARD_TEXT_CHARS = 64 * 1024;

export function outputGuardFields(systemPrompt: string, inputText: string): OutputGuardFields {
  const out: OutputGuardFields = {};
  if (systemPrompt !== '') out.systemPrompt = systemPrompt.slice(0, MAX_GUARD_TEXT_CHARS);
  if (inputText !== '') out.inputContent = inputText.slice(-MAX_GUARD_TEXT_CHARS);
  return out;
}
