/**
 * Collects the chunks of a body that must be scanned whole (JSON), up to a byte limit. Past
 * the limit the body is marked over-limit and further bytes are not kept (the caller decides
 * by policy what an unscannable body means).
 */
export class BodyAccumulator {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private over = false;
  /** Chunks answered with "clear" so far: the final answer must carry the whole body. */
  held = 0;

  constructor(private readonly limit: number) {}

  add(bytes: Uint8Array): void {
    if (this.over) return;
    this.size += bytes.length;
    if (this.size > this.limit) {
      this.over = true;
      this.chunks.length = 0;
      return;
    }
    this.chunks.push(bytes);
  }

  get overLimit(): boolean {
    return this.over;
  }

  get byteLength(): number {
    return this.size;
  }

  bytes(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    return Buffer.concat(this.chunks);
  }
}
