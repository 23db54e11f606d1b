/**
 * `bulwark feedback`: reports a wrong decision to a running sidecar (the Feedback RPC), and
 * `bulwark feedback export`: writes a feedback journal as labelled JSONL for training.
 */
import { readFileSync } from 'node:fs';
import { create, toJson } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  FeedbackKind,
  FeedbackRequestSchema,
  FeedbackResponseSchema,
  SecurityScanService,
  type FeedbackRequest,
  type FeedbackResponse,
} from '../../gen/bulwark/v1/scan_service_pb.js';
import { ThreatType } from '../../gen/bulwark/v1/threat_pb.js';
import { exportFeedbackJsonl } from '../feedback/feedback-export.js';
import { readFeedbackJournal } from '../feedback/feedback-journal.js';
import { grpcServiceDefinition } from '../sidecar/grpc-service-definition.js';
import { DEFAULT_LISTEN } from '../sidecar/listen-address.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { durationSeconds } from './duration-flag.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';

const help = `Usage:
  bulwark feedback (--scan-id ID | --content TEXT | --content-file FILE | --phrase TEXT)
                   (--false-positive | --false-negative) [options]
  bulwark feedback export [--tenant T] [--file JOURNAL] [--require-text] > feedback.jsonl

Reports a wrong decision to a running sidecar. It applies to the tenant's next scans at once:
a false positive's findings are suppressed when the same text comes back (case, Unicode forms
and whitespace aside), a false negative is blocked. --scan-id names a recent unary Scan (the
sidecar remembers its content hash and threats, never the content); a false positive by scan
id suppresses only the rules that scan reported. --phrase reports a piece of text: harmless
wherever it appears (false positive), or to be blocked wherever it appears (false negative).
Prints the stored report as JSON.

Options:
  --tenant ID            tenant the report applies to (default: "default")
  --threat-type TYPE     only this threat type, e.g. PROMPT_INJECTION, PII (false positives)
  --note TEXT            a note for whoever reviews feedback
  --server ADDR          sidecar address, host:port or unix:/path (BULWARK_SERVER;
                         default ${DEFAULT_LISTEN})
  --timeout DURATION     give up after this long (default 10s)

export: writes the entries of a sidecar's feedback journal (the sidecar's BULWARK_FEEDBACK_FILE)
as JSON lines {"text"?, "text_sha256", "label", "source": "feedback", "tenant", ...}; label 1 =
missed threat, 0 = harmless text that was flagged. "text" is present only when the report sent
the text itself.
  --file JOURNAL         the journal (BULWARK_FEEDBACK_FILE)
  --tenant ID            only this tenant's entries (default: all)
  --require-text         only entries that carry their text (directly trainable)
`;

function threatTypeOf(name: string | undefined): ThreatType {
  if (name === undefined) return ThreatType.UNSPECIFIED;
  const value = (ThreatType as unknown as Record<string, number | undefined>)[name.toUpperCase()];
  if (value === undefined || value === ThreatType.UNSPECIFIED || value === ThreatType.SCANNER_ERROR) {
    throw new UsageError(`--threat-type ${name} is not a threat type (e.g. PROMPT_INJECTION, JAILBREAK, PII, SECRET, TOXICITY)`);
  }
  return value;
}

/** The request the flags describe; UsageError when they do not describe exactly one report. */
export function feedbackRequestOf(values: Record<string, string | boolean | undefined>): FeedbackRequest {
  const fp = values['false-positive'] === true;
  const fn = values['false-negative'] === true;
  if (fp === fn) throw new UsageError('give exactly one of --false-positive or --false-negative');
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const contentFile = str('content-file');
  const subjects: Array<FeedbackRequest['subject']> = [];
  if (str('scan-id') !== undefined) subjects.push({ case: 'scanId', value: str('scan-id')! });
  if (str('content') !== undefined) subjects.push({ case: 'content', value: str('content')! });
  if (contentFile !== undefined) subjects.push({ case: 'content', value: readFileSync(contentFile, 'utf8') });
  if (str('phrase') !== undefined) subjects.push({ case: 'phrase', value: str('phrase')! });
  if (subjects.length !== 1) throw new UsageError('give exactly one of --scan-id, --content, --content-file or --phrase');
  return create(FeedbackRequestSchema, {
    tenantId: str('tenant') ?? '',
    subject: subjects[0]!,
    kind: fp ? FeedbackKind.FALSE_POSITIVE : FeedbackKind.FALSE_NEGATIVE,
    threatType: threatTypeOf(str('threat-type')),
    note: str('note') ?? '',
  });
}

/** One Feedback call over gRPC; rejects with "CODE: message" on failure. */
export function callFeedback(address: string, request: FeedbackRequest, timeoutMs: number): Promise<FeedbackResponse> {
  const method = grpcServiceDefinition(SecurityScanService).Feedback as grpc.MethodDefinition<FeedbackRequest, FeedbackResponse>;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<FeedbackResponse>((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, response) => {
        if (err) reject(new Error(`${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`));
        else resolve(response!);
      },
    );
  }).finally(() => client.close());
}

async function report(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(
    args,
    {
      'scan-id': { type: 'string' },
      content: { type: 'string' },
      'content-file': { type: 'string' },
      phrase: { type: 'string' },
      'false-positive': { type: 'boolean' },
      'false-negative': { type: 'boolean' },
      tenant: { type: 'string' },
      'threat-type': { type: 'string' },
      note: { type: 'string' },
      server: { type: 'string' },
      timeout: { type: 'string' },
    },
    0,
  );
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const request = feedbackRequestOf(flags.values);
  const address = stringFlag(flags, 'server') ?? (io.env.BULWARK_SERVER || DEFAULT_LISTEN);
  const timeoutMs = durationSeconds(stringFlag(flags, 'timeout') ?? '10s', '--timeout') * 1000;
  const response = await callFeedback(address, request, timeoutMs);
  io.stdout.write(JSON.stringify(toJson(FeedbackResponseSchema, response, { alwaysEmitImplicit: true })) + '\n');
  return ExitCode.OK;
}

function exportJournal(args: string[], io: CliIo): number {
  const flags = parseFlags(args, { file: { type: 'string' }, tenant: { type: 'string' }, 'require-text': { type: 'boolean' } }, 0);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const file = stringFlag(flags, 'file') ?? (io.env.BULWARK_FEEDBACK_FILE || undefined);
  if (!file) throw new UsageError('no journal: pass --file or set BULWARK_FEEDBACK_FILE');
  const { entries, skippedLines } = readFeedbackJournal(file);
  const tenant = stringFlag(flags, 'tenant');
  io.stdout.write(exportFeedbackJsonl(entries, { ...(tenant !== undefined ? { tenant } : {}), requireText: flags.values['require-text'] === true }));
  if (skippedLines > 0) io.stderr.write(`bulwark feedback export: ${skippedLines} unreadable journal lines skipped\n`);
  return ExitCode.OK;
}

async function run(args: string[], io: CliIo): Promise<number> {
  if (args[0] === 'export') return exportJournal(args.slice(1), io);
  return report(args, io);
}

export const feedbackCommand: CliCommand = {
  name: 'feedback',
  summary: 'report a false positive / false negative to a sidecar; `feedback export` writes training JSONL',
  help,
  run,
};
