/**
 * Verifies audit log files (oldest first) and, when given, checkpoints. Reports the FIRST
 * problem with its file, line and sequence number:
 *   - a line that is not a complete entry (edited, or the file was cut mid-line),
 *   - an entry whose hash does not match its content (edited),
 *   - a sequence number that skips (entries deleted) or goes back or comes too early
 *     (entries reordered), or a `prev` that does not name the entry before (chain broken),
 *   - a checkpoint whose hash differs from the entry at its seq, or that lies beyond the
 *     end of the log (the log was truncated after the checkpoint was taken).
 * Without checkpoints, removing whole entries from the END is undetectable by design of any
 * hash chain; that is what checkpoints kept elsewhere are for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { checkpointMac, GENESIS_HASH, hashRecord, type AuditCheckpoint, type AuditEntry, type AuditRecord } from './audit-chain.js';

export interface VerifyOptions {
  hmacKey?: string;
  /** A checkpoints file (JSON lines). */
  checkpoints?: string;
  /** Checkpoints from elsewhere (the control plane), checked like a file's; `source` names them in reports. */
  checkpointList?: { source: string; list: readonly AuditCheckpoint[] };
}

/** The checkpoints to check (undefined entries: unparsable lines), from the list or the file. */
function loadCheckpoints(options: VerifyOptions): { source: string; list: readonly (AuditCheckpoint | undefined)[] } | { missing: string } | undefined {
  if (options.checkpointList) return options.checkpointList;
  if (!options.checkpoints) return undefined;
  if (!existsSync(options.checkpoints)) return { missing: options.checkpoints };
  const list = load(options.checkpoints).lines.map((line) => {
    try {
      return JSON.parse(line) as AuditCheckpoint;
    } catch {
      return undefined;
    }
  });
  return { source: options.checkpoints, list };
}

export interface VerifyProblem {
  file: string;
  line: number;
  seq?: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  firstSeq: number;
  lastSeq: number;
  headHash: string;
  checkpointsVerified: number;
  problem?: VerifyProblem;
  /** Informational: e.g. the files start in the middle of a chain. */
  notes: string[];
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const e = JSON.parse(line) as Partial<AuditEntry>;
    const ok =
      typeof e.seq === 'number' &&
      typeof e.prev === 'string' &&
      typeof e.hash === 'string' &&
      typeof e.time === 'string' &&
      typeof e.kind === 'string' &&
      typeof e.v === 'number' &&
      (e.alg === 'sha256' || e.alg === 'hmac-sha256') &&
      typeof e.body === 'object' &&
      e.body !== null;
    return ok ? (e as AuditEntry) : undefined;
  } catch {
    return undefined;
  }
}

interface Loaded {
  file: string;
  lines: string[];
  /** The last line has no newline. */
  partialTail: boolean;
}

function load(file: string): Loaded {
  const text = readFileSync(file, 'utf8');
  const partialTail = text.length > 0 && !text.endsWith('\n');
  const lines = text.split('\n');
  if (!partialTail) lines.pop();
  return { file, lines, partialTail };
}

/** Verifies `files` in order. */
export function verifyAuditLog(files: readonly string[], options: VerifyOptions = {}): VerifyReport {
  const report: VerifyReport = { ok: true, entries: 0, firstSeq: -1, lastSeq: -1, headHash: GENESIS_HASH, checkpointsVerified: 0, notes: [] };
  const fail = (problem: VerifyProblem): VerifyReport => ({ ...report, ok: false, problem });
  const hashAt = new Map<number, string>();
  let prevHash: string | undefined;
  let expectedSeq: number | undefined;

  for (const file of files) {
    const { lines, partialTail } = load(file);
    // Every seq in the file, to tell a reordering (the missing seq comes later) from a deletion.
    const seqsInFile = new Set(lines.map((l) => parseEntry(l)?.seq).filter((s): s is number => s !== undefined));
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      const line = lines[i] as string;
      if (partialTail && i === lines.length - 1) {
        return fail({ file, line: lineNo, message: 'the file ends in a partial entry (truncated)' });
      }
      const entry = parseEntry(line);
      if (!entry) return fail({ file, line: lineNo, message: 'not a valid audit entry (edited or damaged)' });
      const { hash, ...record } = entry;
      if (options.hmacKey === undefined && entry.alg === 'hmac-sha256') {
        return fail({ file, line: lineNo, seq: entry.seq, message: 'the entry is HMAC-protected: give the key (--hmac-key-env) to verify it' });
      }
      if (hashRecord(record as AuditRecord, options.hmacKey) !== hash) {
        return fail({ file, line: lineNo, seq: entry.seq, message: `entry seq ${entry.seq} was edited (its hash does not match its content${options.hmacKey ? ' under the given key' : ''})` });
      }
      if (expectedSeq === undefined) {
        if (entry.seq !== 0 || entry.prev !== GENESIS_HASH) report.notes.push(`the files start at seq ${entry.seq}, in the middle of a chain (earlier files not given)`);
        report.firstSeq = entry.seq;
      } else if (entry.seq !== expectedSeq) {
        const missingLater = seqsInFile.has(expectedSeq);
        const what =
          entry.seq < expectedSeq
            ? `seq ${entry.seq} comes after seq ${expectedSeq - 1} (entries reordered or duplicated)`
            : missingLater
              ? `expected seq ${expectedSeq} but found seq ${entry.seq} (entries reordered)`
              : `expected seq ${expectedSeq} but found seq ${entry.seq}: ${entry.seq - expectedSeq} entr${entry.seq - expectedSeq === 1 ? 'y' : 'ies'} deleted`;
        return fail({ file, line: lineNo, seq: entry.seq, message: `broken link: ${what}` });
      } else if (entry.prev !== prevHash) {
        return fail({ file, line: lineNo, seq: entry.seq, message: `broken link: entry seq ${entry.seq} does not name the hash of seq ${entry.seq - 1}` });
      }
      prevHash = hash;
      expectedSeq = entry.seq + 1;
      hashAt.set(entry.seq, hash);
      report.entries++;
      report.lastSeq = entry.seq;
      report.headHash = hash;
    }
  }
  const checkpoints = loadCheckpoints(options);
  if (checkpoints && 'missing' in checkpoints) return fail({ file: checkpoints.missing, line: 0, message: 'the checkpoints file does not exist' });
  for (const [i, cp] of (checkpoints?.list ?? []).entries()) {
    const source = checkpoints?.source ?? '';
    if (!cp) return fail({ file: source, line: i + 1, message: 'not a valid checkpoint' });
    if (options.hmacKey !== undefined && cp.mac !== checkpointMac(cp.seq, cp.hash, cp.time, options.hmacKey)) {
      return fail({ file: source, line: i + 1, seq: cp.seq, message: 'checkpoint was edited (its MAC does not match)' });
    }
    if (cp.seq > report.lastSeq) {
      return fail({
        file: source,
        line: i + 1,
        seq: cp.seq,
        message: `the log was truncated: checkpoint at seq ${cp.seq} but the log ends at seq ${report.lastSeq}`,
      });
    }
    const at = hashAt.get(cp.seq);
    if (at === undefined) continue; // before the files given
    if (at !== cp.hash) return fail({ file: source, line: i + 1, seq: cp.seq, message: `checkpoint at seq ${cp.seq} does not match the log's entry (the log was rewritten)` });
    report.checkpointsVerified++;
  }
  return report;
}
