/**
 * A closed-loop gRPC load generator on @grpc/grpc-js: `concurrency` loops each send one
 * unary call, wait for the answer, record its latency and send the next. Requests are
 * pre-encoded bytes and answers are not decoded, so the client spends its CPU on the
 * transport only (it shares the machine's cores with the server).
 */
import * as grpc from '@grpc/grpc-js';
import { summarize, type LatencySummary } from './latency-stats.js';

/** A unary method and one pre-encoded request message. */
export interface UnaryTarget {
  /** "/package.Service/Method" */
  path: string;
  request: Buffer;
  /** Reads the server's own latency (ms) from a response; sampled to split server from transport time. */
  serverLatencyMs?: (response: Buffer) => number;
}

export interface LoadOptions {
  concurrency: number;
  /** Stop after this long (ms)… */
  durationMs?: number;
  /** …or after this many calls. */
  count?: number;
  /** Calls before measuring starts (ms of traffic), to warm JIT, pools and connections. */
  warmupMs?: number;
  /** Called after every `progressEvery` completed calls. */
  progressEvery?: number;
  onProgress?: (completed: number) => void | Promise<void>;
}

export interface LoadResult extends LatencySummary {
  /** The first failure's status, if any call failed (e.g. "12 UNIMPLEMENTED: …"). */
  firstError?: string;
  /** Median of the server-reported latency over sampled responses (when the target has one). */
  serverP50?: number;
}

/** One response in this many is decoded for its server-side latency (decoding costs client CPU). */
const SERVER_LATENCY_SAMPLE_EVERY = 8;

const identity = (b: Buffer): Buffer => b;
/** Generous: a call that takes this long is a failure, not a data point. */
const CALL_DEADLINE_MS = 10_000;

export class GrpcLoadClient {
  private readonly clients: grpc.Client[];
  private next = 0;

  /**
   * Opens `channels` separate HTTP/2 connections (a local subchannel pool per client,
   * otherwise grpc-js would share one connection between them).
   */
  constructor(address: string, channels: number) {
    this.clients = Array.from(
      { length: channels },
      (_, i) =>
        new grpc.Client(address, grpc.credentials.createInsecure(), {
          'grpc.use_local_subchannel_pool': 1,
          'grpc.primary_user_agent': `bulwark-bench/${i}`,
          'grpc.max_receive_message_length': 64 * 1024 * 1024,
        }),
    );
  }

  /** One call on the next channel (round robin); resolves to the raw response bytes. */
  call(target: UnaryTarget): Promise<Buffer> {
    const client = this.clients[this.next++ % this.clients.length] as grpc.Client;
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        target.path,
        identity,
        identity,
        target.request,
        { deadline: Date.now() + CALL_DEADLINE_MS },
        (err, value) => (err ? reject(err) : resolve(value as Buffer)),
      );
    });
  }

  /** Runs closed-loop load and summarises the measured part. */
  async run(target: UnaryTarget, opts: LoadOptions): Promise<LoadResult> {
    if (opts.warmupMs) await this.loop(target, opts.concurrency, { durationMs: opts.warmupMs });
    return this.loop(target, opts.concurrency, opts);
  }

  private async loop(target: UnaryTarget, concurrency: number, opts: Omit<LoadOptions, 'concurrency'>): Promise<LoadResult> {
    const samples: number[] = [];
    const serverSamples: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let issued = 0;
    const start = performance.now();
    const stopAt = opts.durationMs !== undefined ? start + opts.durationMs : Number.POSITIVE_INFINITY;
    const limit = opts.count ?? Number.POSITIVE_INFINITY;
    const every = opts.progressEvery ?? 0;
    const worker = async (): Promise<void> => {
      while (issued < limit && performance.now() < stopAt) {
        issued += 1;
        const t0 = performance.now();
        try {
          const response = await this.call(target);
          samples.push(performance.now() - t0);
          if (target.serverLatencyMs && samples.length % SERVER_LATENCY_SAMPLE_EVERY === 0) {
            serverSamples.push(target.serverLatencyMs(response));
          }
        } catch (err) {
          errors += 1;
          firstError ??= (err as Error).message;
        }
        const completed = samples.length + errors;
        if (every > 0 && completed % every === 0 && opts.onProgress) await opts.onProgress(completed);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const result: LoadResult = summarize(samples, errors, performance.now() - start);
    if (firstError !== undefined) result.firstError = firstError;
    if (serverSamples.length > 0) result.serverP50 = summarize(serverSamples, 0, 0).p50;
    return result;
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
