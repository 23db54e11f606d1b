/**
 * The soak's traffic: one call of each kind on raw gRPC bytes (requests pre-encoded, answers
 * not decoded, so the load generator's CPU goes to the transport):
 * - `scan`: a unary Scan of 1 KB of prose with a little PII;
 * - `stream`: a StreamScan RPC carrying one logical stream of 4 chunks (~256 B each), timed
 *   from the first write to the server's end of the call;
 * - `action`: a CheckAction from a mix of allowed, denied and rate-limited-free actions.
 * Plus the policy the sidecar runs with (tenant acme: detectors on defaults, agents and action
 * rules for CheckAction).
 */
import * as grpc from '@grpc/grpc-js';
import { create, toBinary } from '@bufbuild/protobuf';
import { ActionRequestSchema, ActionType } from '../gen/bulwark/v1/action_service_pb.js';
import { ScanRequestSchema, StreamScanRequestSchema } from '../gen/bulwark/v1/scan_service_pb.js';
import { Direction } from '../gen/bulwark/v1/threat_pb.js';
import { benchContent } from './bench-content.js';

export type CallKind = 'scan' | 'stream' | 'action';
export const CALL_KINDS: readonly CallKind[] = ['scan', 'stream', 'action'];

/** Call kinds in the order the soak cycles through them: half Scans, a quarter each of the others. */
export const MIX: readonly CallKind[] = ['scan', 'stream', 'scan', 'action'];

export const SOAK_POLICY = `apiVersion: bulwark.dev/v1
kind: Policy
metadata: { tenant: acme }
spec:
  agents:
    - { id: data_processor, owner: data-team@acme.example, allowedActions: [TOOL_CALL, DATABASE_QUERY] }
  actionRules:
    - { id: http-only-internal, appliesTo: [TOOL_CALL], target: http_request, hosts: { allow: [internal.acme.example] }, decision: ALLOW }
    - { id: db-reads, appliesTo: [DATABASE_QUERY], target: '*', decision: ALLOW }
  rateLimits:
    - { agent: data_processor, actionType: DATABASE_QUERY, perSecond: 1000000 }
`;

const SCAN = '/bulwark.v1.SecurityScanService/Scan';
const STREAM = '/bulwark.v1.SecurityScanService/StreamScan';
const CHECK = '/bulwark.v1.AgentActionService/CheckAction';
const CALL_DEADLINE_MS = 10_000;
const identity = (b: Buffer): Buffer => b;

const scanRequest = Buffer.from(toBinary(ScanRequestSchema, create(ScanRequestSchema, { tenantId: 'acme', content: benchContent(1024), direction: Direction.INPUT })));

const streamText = benchContent(1024);
const streamChunks = [0, 1, 2, 3].map((i) =>
  Buffer.from(
    toBinary(
      StreamScanRequestSchema,
      create(StreamScanRequestSchema, {
        streamId: 'soak',
        tenantId: i === 0 ? 'acme' : '',
        direction: i === 0 ? Direction.OUTPUT : Direction.UNSPECIFIED,
        content: streamText.slice(i * 256, (i + 1) * 256),
        endOfStream: i === 3,
      }),
    ),
  ),
);

const actionRequests = [
  { actionType: ActionType.TOOL_CALL, target: 'http_request', parameters: { url: 'https://internal.acme.example/reports/weekly', method: 'GET' } },
  { actionType: ActionType.DATABASE_QUERY, target: 'orders', parameters: { query: 'SELECT id, total FROM orders WHERE week = 42 LIMIT 100' } },
  { actionType: ActionType.TOOL_CALL, target: 'http_request', parameters: { url: 'https://api.partner.example/v1/items', method: 'GET' } },
].map(({ parameters, ...a }) =>
  Buffer.from(
    toBinary(
      ActionRequestSchema,
      // google.protobuf.Struct takes a plain JSON object (as in src/agents/action-client.ts).
      create(ActionRequestSchema, { tenantId: 'acme', agentId: 'data_processor', declaredGoal: 'prepare the weekly report', parameters: parameters as unknown as Record<string, never>, ...a }),
    ),
  ),
);

/** Channels to the sidecar, calls spread over them round robin. */
export class SoakClient {
  private readonly clients: grpc.Client[];
  private next = 0;

  constructor(address: string, channels = 4) {
    this.clients = Array.from(
      { length: channels },
      (_, i) => new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1, 'grpc.primary_user_agent': `bulwark-soak/${i}` }),
    );
  }

  /** One call of `kind`; resolves when it is answered (rejects on a gRPC error). */
  call(kind: CallKind, i: number): Promise<void> {
    const client = this.clients[this.next++ % this.clients.length] as grpc.Client;
    if (kind === 'stream') return this.stream(client);
    const [path, request] = kind === 'scan' ? [SCAN, scanRequest] : [CHECK, actionRequests[i % actionRequests.length] as Buffer];
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(path, identity, identity, request, { deadline: Date.now() + CALL_DEADLINE_MS }, (err) => (err ? reject(err) : resolve()));
    });
  }

  private stream(client: grpc.Client): Promise<void> {
    const call = client.makeBidiStreamRequest(STREAM, identity, identity, new grpc.Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS });
    return new Promise((resolve, reject) => {
      let answers = 0;
      call.on('data', () => answers++);
      call.on('error', reject);
      call.on('end', () => (answers === streamChunks.length ? resolve() : reject(new Error(`stream answered ${answers} of ${streamChunks.length} chunks`))));
      for (const chunk of streamChunks) call.write(chunk);
      call.end();
    });
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
