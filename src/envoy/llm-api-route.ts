/**
 * Which LLM API a request path belongs to. Matching is on the path's end so the same rules
 * cover `/v1/chat/completions`, gateway prefixes (`/openai/v1/chat/completions`) and Azure's
 * `/openai/deployments/{name}/chat/completions?api-version=...`.
 */

export type LlmApi = 'openai.chat' | 'openai.completions' | 'openai.responses' | 'openai.embeddings' | 'anthropic.messages';

/** The API of a request path (query string ignored), or undefined for anything else. */
export function llmApiOf(path: string): LlmApi | undefined {
  const bare = path.split('?', 1)[0]!.replace(/\/+$/, '').toLowerCase();
  if (bare.endsWith('/chat/completions')) return 'openai.chat';
  if (bare.endsWith('/completions')) return 'openai.completions';
  if (bare.endsWith('/responses')) return 'openai.responses';
  if (bare.endsWith('/embeddings')) return 'openai.embeddings';
  if (bare.endsWith('/v1/messages')) return 'anthropic.messages';
  return undefined;
}
