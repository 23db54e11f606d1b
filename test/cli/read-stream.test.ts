import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/cli/read-stream.js';

async function collect(chunks: Array<string | Buffer>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(Readable.from(chunks, { objectMode: false }))) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('splits on \\n and \\r\\n, keeps empty lines, and yields a last line without terminator', async () => {
    expect(await collect(['a\nb\r\n', '\nc'])).toEqual(['a', 'b', '', 'c']);
  });

  it('does not yield an extra empty line after a final newline', async () => {
    expect(await collect(['x\ny\n'])).toEqual(['x', 'y']);
  });

  it('joins lines split across chunks, including a UTF-8 character split between chunks', async () => {
    const bytes = Buffer.from('{"text":"naïve café ☕"}\n{"text":"😀"}\n');
    const cut = bytes.indexOf(0xe2); // the first byte of "☕"
    expect(await collect([bytes.subarray(0, cut + 1), bytes.subarray(cut + 1, cut + 9), bytes.subarray(cut + 9)])).toEqual([
      '{"text":"naïve café ☕"}',
      '{"text":"😀"}',
    ]);
  });

  it('treats a \\r not followed by \\n as part of the line', async () => {
    expect(await collect(['a\rb\n'])).toEqual(['a\rb']);
  });
});
