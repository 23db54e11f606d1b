/**
 * An incremental parser for server-sent events (the WHATWG event-stream format): bytes arrive
 * in arbitrary chunks (a UTF-8 character, a line or an event may be split anywhere); complete
 * events come out with their raw text, so untouched events are passed on byte for byte.
 */

export interface SseEvent {
  /** The event exactly as received, including its terminating blank line. */
  raw: string;
  /** The `event:` field ("" when absent: the type is "message"). */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** False for a block with no data line (comments, `retry:`, bare `event:`). */
  hasData: boolean;
}

/**
 * The blank line that ends an event: two line ends, each \r\n, \n or a lone \r (a \r
 * followed by \n is one line end, never two).
 */
const EVENT_END = /(?:\r\n|\n|\r(?!\n))(?:\r\n|\n|\r(?!\n))/;

export class SseParser {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain();
  }

  /** End of the body: whatever is left (an event without its blank line) is the last event. */
  end(): SseEvent[] {
    this.buffer += this.decoder.decode();
    const events = this.drain();
    if (this.buffer.length > 0) {
      events.push(parseEvent(this.buffer));
      this.buffer = '';
    }
    return events;
  }

  /** Bytes received but not yet part of a complete event (UTF-16 units). */
  get pending(): number {
    return this.buffer.length;
  }

  private drain(): SseEvent[] {
    const events: SseEvent[] = [];
    for (;;) {
      const match = EVENT_END.exec(this.buffer);
      // A trailing "\r" may be the first half of "\r\n": wait for the next byte.
      if (!match || (match.index + match[0].length === this.buffer.length && this.buffer.endsWith('\r'))) return events;
      const end = match.index + match[0].length;
      events.push(parseEvent(this.buffer.slice(0, end)));
      this.buffer = this.buffer.slice(end);
    }
  }
}

/** Parses one event block (field lines per the spec: "name: value", one optional space). */
export function parseEvent(raw: string): SseEvent {
  let event = '';
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
  }
  return { raw, event, data: data.join('\n'), hasData: data.length > 0 };
}

/**
 * The event with its data replaced: every line other than data lines is kept in place (event,
 * id, comments); the new data goes where the first data line was, one line per "\n".
 */
export function withData(event: SseEvent, data: string): string {
  const lines = event.raw.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let placed = false;
  for (const line of lines) {
    if (line === 'data' || line.startsWith('data:')) {
      if (!placed) {
        for (const d of data.split('\n')) out.push(`data: ${d}`);
        placed = true;
      }
      continue;
    }
    if (line !== '') out.push(line);
  }
  if (!placed) for (const d of data.split('\n')) out.push(`data: ${d}`);
  return `${out.join('\n')}\n\n`;
}
