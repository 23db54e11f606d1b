/** Table tests: what each streamed event of each API carries as text streams. */
import { describe, expect, it } from 'vitest';
import type { LlmApi } from '../../src/envoy/llm-api-route.js';
import { keyUnder, planStreamEvent } from '../../src/envoy/llm-stream-events.js';
import { parseEvent } from '../../src/envoy/sse-parser.js';

const ev = (data: unknown, event?: string) => parseEvent(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

interface Case {
  name: string;
  api: LlmApi | undefined;
  data: unknown;
  pieces?: Array<[key: string, path: Array<string | number>, text: string]>;
  endKeys?: string[];
  endAll?: boolean;
  full?: Array<[key: string, path: Array<string | number>]>;
}

const cases: Case[] = [
  { name: 'OpenAI chat: content delta of choice 0', api: 'openai.chat', data: { choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] }, pieces: [['c0', ['choices', 0, 'delta', 'content'], 'Hi']] },
  {
    name: 'OpenAI chat: tool-call arguments (by tool index) and refusal are streams of their own',
    api: 'openai.chat',
    data: { choices: [{ index: 1, delta: { refusal: 'no', tool_calls: [{ index: 2, function: { arguments: '{"a"' } }] } }] },
    pieces: [
      ['c1.refusal', ['choices', 0, 'delta', 'refusal'], 'no'],
      ['c1.tool2', ['choices', 0, 'delta', 'tool_calls', 0, 'function', 'arguments'], '{"a"'],
    ],
  },
  { name: 'OpenAI chat: finish_reason ends the choice', api: 'openai.chat', data: { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }, endKeys: ['c0'] },
  { name: 'OpenAI chat: usage-only chunk carries nothing', api: 'openai.chat', data: { choices: [], usage: { total_tokens: 3 } } },
  { name: 'OpenAI completions: text of a choice', api: 'openai.completions', data: { choices: [{ index: 0, text: 'abc', finish_reason: null }] }, pieces: [['c0', ['choices', 0, 'text'], 'abc']] },
  { name: 'Responses: output_text.delta', api: 'openai.responses', data: { type: 'response.output_text.delta', output_index: 1, content_index: 0, delta: 'x' }, pieces: [['o1.0', ['delta'], 'x']] },
  { name: 'Responses: function_call_arguments.delta', api: 'openai.responses', data: { type: 'response.function_call_arguments.delta', output_index: 2, delta: '{' }, pieces: [['o2.args', ['delta'], '{']] },
  { name: 'Responses: output_text.done ends and repeats the text', api: 'openai.responses', data: { type: 'response.output_text.done', output_index: 1, content_index: 0, text: 'full' }, endKeys: ['o1.0'], full: [['o1.0', ['text']]] },
  {
    name: 'Responses: output_item.done repeats the item texts',
    api: 'openai.responses',
    data: { type: 'response.output_item.done', output_index: 0, item: { type: 'message', content: [{ type: 'output_text', text: 't' }] } },
    endKeys: ['o0'],
    full: [['o0.0', ['item', 'content', 0, 'text']]],
  },
  {
    name: 'Responses: response.completed ends everything and repeats every output text',
    api: 'openai.responses',
    data: { type: 'response.completed', response: { output: [{ type: 'message', content: [{ type: 'output_text', text: 'a' }] }, { type: 'function_call', arguments: '{}' }] } },
    endAll: true,
    full: [
      ['o0.0', ['response', 'output', 0, 'content', 0, 'text']],
      ['o1.args', ['response', 'output', 1, 'arguments']],
    ],
  },
  { name: 'Anthropic: text_delta', api: 'anthropic.messages', data: { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'yo' } }, pieces: [['b2', ['delta', 'text'], 'yo']] },
  { name: 'Anthropic: input_json_delta', api: 'anthropic.messages', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":' } }, pieces: [['b1', ['delta', 'partial_json'], '{"q":']] },
  { name: 'Anthropic: content_block_stop ends the block', api: 'anthropic.messages', data: { type: 'content_block_stop', index: 1 }, endKeys: ['b1'] },
  { name: 'Anthropic: message_stop ends everything', api: 'anthropic.messages', data: { type: 'message_stop' }, endAll: true },
  { name: 'Anthropic: ping carries nothing', api: 'anthropic.messages', data: { type: 'ping' } },
  { name: 'unknown API: the whole data is text', api: undefined, data: { anything: 'x' }, pieces: [['data', [], '{"anything":"x"}']] },
  { name: 'data that is not JSON is text, whatever the API', api: 'openai.chat', data: 'plain words', pieces: [['data', [], 'plain words']] },
];

describe('planStreamEvent', () => {
  it.each(cases)('$name', ({ api, data, pieces = [], endKeys = [], endAll = false, full = [] }) => {
    const plan = planStreamEvent(api, ev(data));
    expect(plan.pieces.map((p) => [p.key, p.path, p.text])).toEqual(pieces);
    expect(plan.endKeys).toEqual(endKeys);
    expect(plan.endAll).toBe(endAll);
    expect(plan.fullTexts.map((f) => [f.key, f.path])).toEqual(full);
    expect(plan.terminal).toBe(false);
  });

  it('[DONE] ends every stream and the body; events without data carry nothing', () => {
    expect(planStreamEvent('openai.chat', ev('[DONE]'))).toMatchObject({ endAll: true, terminal: true, pieces: [] });
    expect(planStreamEvent('openai.chat', parseEvent(': keep-alive\n\n'))).toMatchObject({ endAll: false, pieces: [] });
  });

  it('keyUnder: a prefix ends its sub-streams, not its siblings', () => {
    expect(keyUnder('c0', 'c0')).toBe(true);
    expect(keyUnder('c0.tool1', 'c0')).toBe(true);
    expect(keyUnder('c01', 'c0')).toBe(false);
    expect(keyUnder('o1.0', 'o1')).toBe(true);
    expect(keyUnder('o10.0', 'o1')).toBe(false);
  });
});
