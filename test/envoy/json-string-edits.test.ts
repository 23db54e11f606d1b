import { describe, expect, it } from 'vitest';
import { editJsonStrings, JsonEditError } from '../../src/envoy/json-string-edits.js';

describe('editJsonStrings', () => {
  it('replaces only the addressed strings; every other byte stays (spacing, key order, big integers)', () => {
    const json = '{ "seed": 12345678901234567890, "messages" : [ {"role":"user", "content": "mail a@b.co"} , {"role":"user","content":"x"} ],"z":1.50 }';
    const out = editJsonStrings(json, [{ path: ['messages', 0, 'content'], value: 'mail <EMAIL_ADDRESS>' }]);
    expect(out).toBe('{ "seed": 12345678901234567890, "messages" : [ {"role":"user", "content": "mail <EMAIL_ADDRESS>"} , {"role":"user","content":"x"} ],"z":1.50 }');
  });

  it('escapes what the new value needs, so the result parses to it', () => {
    const value = 'quote " backslash \\ newline \n tab \t control \u0001 and \u2028';
    const out = editJsonStrings('{"a":["old"]}', [{ path: ['a', 0], value }]);
    expect(JSON.parse(out)).toEqual({ a: [value] });
  });

  it('finds keys written with escapes, and values with escapes inside', () => {
    const json = '{"\\u0063ontent":"He said \\"hi\\" \\u00e9","other":"\\\\"}';
    const out = editJsonStrings(json, [{ path: ['content'], value: 'new' }]);
    expect(JSON.parse(out)).toEqual({ content: 'new', other: '\\' });
  });

  it('several edits at different depths in one pass', () => {
    const json = JSON.stringify({ a: { b: ['x', 'y', { c: 'z' }] }, d: 'w' });
    const out = editJsonStrings(json, [
      { path: ['a', 'b', 1], value: 'Y' },
      { path: ['a', 'b', 2, 'c'], value: 'Z' },
      { path: ['d'], value: 'W' },
    ]);
    expect(JSON.parse(out)).toEqual({ a: { b: ['x', 'Y', { c: 'Z' }] }, d: 'W' });
  });

  it('refuses a path that does not hold a string', () => {
    expect(() => editJsonStrings('{"a":1}', [{ path: ['a'], value: 'x' }])).toThrow(JsonEditError);
    expect(() => editJsonStrings('{"a":"x"}', [{ path: ['b'], value: 'x' }])).toThrow(JsonEditError);
    expect(() => editJsonStrings('["x"]', [{ path: [1], value: 'y' }])).toThrow(JsonEditError);
  });

  it('refuses a duplicate key on the way to an edited value (parsers disagree which one wins)', () => {
    expect(() => editJsonStrings('{"m":"benign","m":"evil"}', [{ path: ['m'], value: 'x' }])).toThrow(/duplicate/);
    expect(() => editJsonStrings('{"a":{"m":"1"},"a":{"m":"2"}}', [{ path: ['a', 'm'], value: 'x' }])).toThrow(/duplicate/);
    // Duplicates elsewhere do not matter.
    expect(editJsonStrings('{"k":1,"k":2,"m":"v"}', [{ path: ['m'], value: 'x' }])).toBe('{"k":1,"k":2,"m":"x"}');
  });

  it('refuses text that is not JSON', () => {
    for (const bad of ['{"a":"x"', '{"a":"x"}}', "{'a':'x'}", '{"a":tru}', '{"a":"x\u0001"}', '{"a":01}']) {
      expect(() => editJsonStrings(bad, [{ path: ['a'], value: 'y' }])).toThrow(JsonEditError);
    }
  });

  it('no edits: the text is returned as it is', () => {
    expect(editJsonStrings('not json at all', [])).toBe('not json at all');
  });
});
