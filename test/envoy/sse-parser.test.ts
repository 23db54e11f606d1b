import { describe, expect, it } from 'vitest';
import { parseEvent, SseParser, withData } from '../../src/envoy/sse-parser.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('SseParser', () => {
  it('returns complete events only, whatever the chunking (every split point of a stream)', () => {
    const stream = 'event: delta\ndata: {"t":"héllo 👋"}\n\n: comment\n\ndata: a\ndata: b\n\ndata: [DONE]\n\n';
    const all = bytes(stream);
    for (let cut = 0; cut <= all.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(all.subarray(0, cut)), ...parser.push(all.subarray(cut)), ...parser.end()];
      expect(events.map((e) => e.raw).join('')).toBe(stream);
      expect(events.map((e) => [e.event, e.data, e.hasData])).toEqual([
        ['delta', '{"t":"héllo 👋"}', true],
        ['', '', false],
        ['', 'a\nb', true],
        ['', '[DONE]', true],
      ]);
    }
  });

  it('CRLF and lone CR line ends; a CR at the end of a chunk waits for a possible LF', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('data: x\r\n\r'))).toEqual([]);
    const events = parser.push(bytes('\ndata: y\r\rdata: z\n\n'));
    expect(events.map((e) => e.data)).toEqual(['x', 'y', 'z']);
    // "\r\n" is one line end, never a blank line.
    const p2 = new SseParser();
    expect(p2.push(bytes('data: 1\r\ndata: 2\r\n'))).toEqual([]);
    expect(p2.push(bytes('\r\n')).map((e) => e.data)).toEqual(['1\n2']);
  });

  it('end() returns an event left without its blank line', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('data: tail'))).toEqual([]);
    expect(parser.pending).toBe(10);
    expect(parser.end().map((e) => e.data)).toEqual(['tail']);
  });

  it('field parsing: one optional space after the colon, unknown fields ignored', () => {
    expect(parseEvent('data:no-space\ndata:  two-spaces\nid: 7\nretry: 10\n\n').data).toBe('no-space\n two-spaces');
    expect(parseEvent('id: 1\n\n').hasData).toBe(false);
  });
});

describe('withData', () => {
  it('keeps event/id/comment lines in place and puts the new data where the data was', () => {
    const event = parseEvent('event: content_block_delta\nid: 9\ndata: {"old":1}\n: note\n\n');
    expect(withData(event, '{"new":2}')).toBe('event: content_block_delta\nid: 9\ndata: {"new":2}\n: note\n\n');
  });

  it('multi-line data becomes several data lines; CRLF input comes out with LF', () => {
    const event = parseEvent('data: a\r\ndata: b\r\n\r\n');
    expect(withData(event, 'x\ny')).toBe('data: x\ndata: y\n\n');
  });
});
