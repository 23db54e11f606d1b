/**
 * One segment file of the outbox (`<dir>/<seq, 16 digits>.seg`): frames appended in order
 * (outbox-frame.ts). In memory: where each frame starts and when it was appended, and how
 * many leading frames are acknowledged, so the outbox never re-reads a file to count.
 */
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { checkFrame, decodeFrame, type FrameProblem } from './outbox-frame.js';

const SEGMENT_SUFFIX = '.seg';

export function segmentFileName(seq: number): string {
  return `${String(seq).padStart(16, '0')}${SEGMENT_SUFFIX}`;
}

/** The sequence number of a segment file name, or undefined for other files. */
export function segmentSeqOf(name: string): number | undefined {
  if (!name.endsWith(SEGMENT_SUFFIX)) return undefined;
  const seq = Number(name.slice(0, -SEGMENT_SUFFIX.length));
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
}

export class Segment {
  /** Byte offset of each frame. */
  readonly offsets: number[] = [];
  /** Date.now() at append of each frame. */
  readonly appendedAt: number[] = [];
  /** Frames before this index are acknowledged. */
  acked = 0;

  constructor(
    readonly seq: number,
    readonly path: string,
    /** Bytes in the file (all complete frames). */
    public size = 0,
  ) {}

  static inDir(dir: string, seq: number): Segment {
    return new Segment(seq, join(dir, segmentFileName(seq)));
  }

  get count(): number {
    return this.offsets.length;
  }

  get pending(): number {
    return this.count - this.acked;
  }

  /** Bytes of frames not yet acknowledged. */
  get pendingBytes(): number {
    return this.size - (this.offsets[this.acked] ?? this.size);
  }

  /** Offset of frame `i`'s end. */
  endOf(i: number): number {
    return this.offsets[i + 1] ?? this.size;
  }

  added(offset: number, length: number, at: number): void {
    this.offsets.push(offset);
    this.appendedAt.push(at);
    this.size = offset + length;
  }

  /** Marks the frames starting before `offset` acknowledged. */
  ackBefore(offset: number): void {
    while (this.acked < this.count && (this.offsets[this.acked] ?? Infinity) < offset) this.acked++;
  }
}

/** What replaying one file found. */
export interface SegmentReplay {
  segment: Segment;
  /** Set when the file ended in a frame that could not be read; the file was cut there. */
  cut?: { problem: FrameProblem; bytes: number };
}

/**
 * Reads a segment file at startup, indexing its frames. A frame that is incomplete or fails
 * its checksum ends the readable part (a crash mid-append, or damage): the file is truncated
 * there so later appends follow a good frame. Frames after a damaged one cannot be found
 * again (the length field is not trusted), so they are counted with the cut bytes.
 */
export async function replaySegment(dir: string, seq: number): Promise<SegmentReplay> {
  const segment = Segment.inDir(dir, seq);
  const bytes = await readFile(segment.path);
  let pos = 0;
  while (pos < bytes.length) {
    const checked = checkFrame(bytes, pos);
    if ('problem' in checked) {
      await truncate(segment.path, pos);
      segment.size = pos;
      return { segment, cut: { problem: checked.problem, bytes: bytes.length - pos } };
    }
    let at: number;
    try {
      at = decodeFrame(bytes.subarray(pos, pos + checked.length)).appendedAt;
    } catch {
      at = Date.now(); // a body that passed the checksum but not the parser: kept, skipped at read
    }
    segment.added(pos, checked.length, Number.isFinite(at) ? at : Date.now());
    pos += checked.length;
  }
  return { segment };
}
