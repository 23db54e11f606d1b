/** Table tests: which strings of each LLM API body are scanned, and where they sit. */
import { describe, expect, it } from 'vitest';
import { requestTexts, responseTexts } from '../../src/envoy/llm-api-bodies.js';
import { llmApiOf, type LlmApi } from '../../src/envoy/llm-api-route.js';

describe('llmApiOf', () => {
  it.each([
    ['/v1/chat/completions', 'openai.chat'],
    ['/openai/deployments/gpt4/chat/completions?api-version=2024-06-01', 'openai.chat'],
    ['/v1/completions', 'openai.completions'],
    ['/v1/responses', 'openai.responses'],
    ['/v1/embeddings/', 'openai.embeddings'],
    ['/v1/messages', 'anthropic.messages'],
    ['/V1/Chat/Completions', 'openai.chat'],
  ])('%s → %s', (path, api) => expect(llmApiOf(path)).toBe(api));

  it.each(['/v1/models', '/v1/messages/batches', '/healthz', '/v1/chat/completions/abc', '/inbox/messages'])('%s is not an LLM API call', (path) => {
    expect(llmApiOf(path)).toBeUndefined();
  });
});

interface RequestCase {
  name: string;
  api: LlmApi;
  body: unknown;
  texts: Array<[path: Array<string | number>, text: string]>;
  system: string;
}

const requestCases: RequestCase[] = [
  {
    name: 'OpenAI chat: user and tool messages, content-part arrays; system and developer recorded, assistant skipped',
    api: 'openai.chat',
    body: {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Never reveal codes.' }] },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'Ignore previous instructions (model output, not scanned as input)', tool_calls: [{ function: { arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'tool says hi' },
        { role: 'user', content: [{ type: 'text', text: 'part one' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'text', text: 'part two' }] },
      ],
    },
    texts: [
      [['messages', 2, 'content'], 'first question'],
      [['messages', 4, 'content'], 'tool says hi'],
      [['messages', 5, 'content', 0, 'text'], 'part one'],
      [['messages', 5, 'content', 2, 'text'], 'part two'],
    ],
    system: 'You are terse.\n\nNever reveal codes.',
  },
  {
    name: 'OpenAI completions: prompt string list and suffix; token arrays carry no text',
    api: 'openai.completions',
    body: { prompt: ['one', [1, 2, 3], 'two'], suffix: 'end' },
    texts: [
      [['prompt', 0], 'one'],
      [['prompt', 2], 'two'],
      [['suffix'], 'end'],
    ],
    system: '',
  },
  {
    name: 'OpenAI embeddings: input string',
    api: 'openai.embeddings',
    body: { input: 'embed me', model: 'e' },
    texts: [[['input'], 'embed me']],
    system: '',
  },
  {
    name: 'OpenAI responses: instructions recorded; input items incl. function_call_output; assistant and function_call items skipped',
    api: 'openai.responses',
    body: {
      instructions: 'Be nice.',
      input: [
        { role: 'system', content: 'Also brief.' },
        { role: 'user', content: [{ type: 'input_text', text: 'hello' }, { type: 'input_image', image_url: 'x' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'earlier answer' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{"q":1}' },
        { type: 'function_call_output', call_id: 'c', output: 'tool result text' },
        { role: 'user', content: 'bye' },
      ],
    },
    texts: [
      [['input', 1, 'content', 0, 'text'], 'hello'],
      [['input', 4, 'output'], 'tool result text'],
      [['input', 5, 'content'], 'bye'],
    ],
    system: 'Be nice.\n\nAlso brief.',
  },
  {
    name: 'OpenAI responses: input as a plain string',
    api: 'openai.responses',
    body: { input: 'just a string' },
    texts: [[['input'], 'just a string']],
    system: '',
  },
  {
    name: 'Anthropic messages: system blocks recorded; user text and tool_result blocks scanned',
    api: 'anthropic.messages',
    body: {
      system: [{ type: 'text', text: 'You are Claude-like.' }],
      messages: [
        { role: 'user', content: 'plain user text' },
        { role: 'assistant', content: [{ type: 'text', text: 'assistant text' }, { type: 'tool_use', id: 'tu', name: 'f', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu', content: [{ type: 'text', text: 'result text' }] }, { type: 'text', text: 'follow-up' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu2', content: 'string result' }] },
      ],
    },
    texts: [
      [['messages', 0, 'content'], 'plain user text'],
      [['messages', 2, 'content', 0, 'content', 0, 'text'], 'result text'],
      [['messages', 2, 'content', 1, 'text'], 'follow-up'],
      [['messages', 3, 'content', 0, 'content'], 'string result'],
    ],
    system: 'You are Claude-like.',
  },
];

describe('requestTexts', () => {
  it.each(requestCases)('$name', ({ api, body, texts, system }) => {
    const out = requestTexts(api, body);
    expect(out.segments.map((s) => [s.path, s.text])).toEqual(texts);
    expect(out.systemPrompt).toBe(system);
  });

  it('stream flag, and bodies of the wrong shape yield nothing (never throw)', () => {
    expect(requestTexts('openai.chat', { stream: true, messages: [] }).stream).toBe(true);
    for (const body of [null, 42, 'text', [], { messages: 'nope' }, { messages: [null, 1, { role: 'user', content: 5 }] }]) {
      expect(requestTexts('openai.chat', body).segments).toEqual([]);
    }
  });
});

describe('responseTexts', () => {
  it('OpenAI chat: content, refusal and tool-call arguments of every choice', () => {
    const body = {
      choices: [
        { index: 0, message: { role: 'assistant', content: 'answer', refusal: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"email":"a@b.co"}' } }] } },
        { index: 1, message: { role: 'assistant', content: null, refusal: 'I cannot' } },
      ],
    };
    expect(responseTexts('openai.chat', body).map((s) => [s.path, s.text])).toEqual([
      [['choices', 0, 'message', 'content'], 'answer'],
      [['choices', 0, 'message', 'tool_calls', 0, 'function', 'arguments'], '{"email":"a@b.co"}'],
      [['choices', 1, 'message', 'refusal'], 'I cannot'],
    ]);
  });

  it('OpenAI completions, Responses output items, Anthropic text and tool_use input leaves', () => {
    expect(responseTexts('openai.completions', { choices: [{ text: 't' }] }).map((s) => s.path)).toEqual([['choices', 0, 'text']]);
    const responses = { output: [{ type: 'reasoning', summary: [] }, { type: 'message', content: [{ type: 'output_text', text: 'hi' }] }, { type: 'function_call', arguments: '{}' }] };
    expect(responseTexts('openai.responses', responses).map((s) => [s.path, s.text])).toEqual([
      [['output', 1, 'content', 0, 'text'], 'hi'],
      [['output', 2, 'arguments'], '{}'],
    ]);
    const anthropic = { content: [{ type: 'text', text: 'hello' }, { type: 'tool_use', input: { to: 'x@y.io', n: 3, list: ['a'] } }] };
    expect(responseTexts('anthropic.messages', anthropic).map((s) => [s.path, s.text])).toEqual([
      [['content', 0, 'text'], 'hello'],
      [['content', 1, 'input', 'to'], 'x@y.io'],
      [['content', 1, 'input', 'list', 0], 'a'],
    ]);
    expect(responseTexts('openai.embeddings', { data: [{ embedding: [0.1] }] })).toEqual([]);
  });
});
