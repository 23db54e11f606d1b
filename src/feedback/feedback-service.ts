/**
 * The sidecar's feedback: remembers recent scans by id, turns reports into store entries,
 * journals them and gets the new overlay onto every scanner thread before answering. The
 * transports (src/sidecar/feedback-handler.ts) only translate messages and errors.
 */
import { randomUUID } from 'node:crypto';
import type { FeedbackThreatType } from '../engine/feedback-overlay.js';
import { feedbackHash } from '../engine/feedback-text.js';
import type { ScanResult } from '../engine/types.js';
import type { Logger } from '../telemetry/logger.js';
import { appendFeedbackJournal, readFeedbackJournal } from './feedback-journal.js';
import type { FeedbackPool } from './feedback-pool.js';
import { FeedbackError, FeedbackStore, type FeedbackEntry, type FeedbackKind, type FeedbackReport } from './feedback-store.js';
import { RecentScans } from './recent-scans.js';

/** A report as a transport received it. Exactly one of scanId, content, phrase is set. */
export interface FeedbackRequestInput {
  tenantId: string;
  kind: FeedbackKind;
  scanId?: string;
  content?: string;
  phrase?: string;
  threatType?: FeedbackThreatType;
  note?: string;
}

export interface FeedbackOutcome {
  entry: FeedbackEntry;
  /** Entries the tenant now has. */
  tenantEntries: number;
  /** False when the journal could not be written (the entry applies until restart). */
  persisted: boolean;
}

export interface FeedbackServiceOptions {
  pool: FeedbackPool;
  /** JSONL journal: replayed at start, appended on every report. None = memory only. */
  journalPath?: string;
  /** Scans remembered by id (default 10,000). */
  recentScans?: number;
  maxEntriesPerTenant?: number;
  logger?: Logger;
}

/** A report that cannot be resolved (unknown scan id); safe to return to the caller. */
export class FeedbackNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedbackNotFoundError';
  }
}

export class FeedbackService {
  readonly store: FeedbackStore;
  readonly recent: RecentScans;

  private constructor(private readonly options: FeedbackServiceOptions) {
    this.store = new FeedbackStore(options.maxEntriesPerTenant !== undefined ? { maxEntriesPerTenant: options.maxEntriesPerTenant } : {});
    this.recent = new RecentScans(options.recentScans);
  }

  /** Replays the journal (if any) and installs its overlay before the sidecar serves. */
  static async open(options: FeedbackServiceOptions): Promise<FeedbackService> {
    const service = new FeedbackService(options);
    if (options.journalPath) {
      const { entries, skippedLines } = readFeedbackJournal(options.journalPath);
      service.store.restore(entries);
      if (skippedLines > 0) options.logger?.warn({ skippedLines }, 'feedback journal: unreadable lines skipped');
      if (entries.length > 0) await options.pool.applyFeedback(service.store.overlay());
    }
    return service;
  }

  /**
   * Remembers a finished unary scan by id. Hashing is deferred past the response (the caller
   * cannot name the scan before it has the id), so it never adds to the scan's latency; the
   * content itself is not kept.
   */
  rememberScan(scanId: string, tenantId: string, content: string, result: ScanResult): void {
    const threats = result.threats.map((t) => ({ type: t.type, ruleId: t.ruleId }));
    setImmediate(() => this.recent.remember(scanId, { tenantId, contentSha256: feedbackHash(content), threats }));
  }

  private resolve(input: FeedbackRequestInput): FeedbackReport {
    const subjects = [input.scanId, input.content, input.phrase].filter((s) => s !== undefined && s !== '');
    if (subjects.length !== 1) throw new FeedbackError('INVALID_ARGUMENT', 'exactly one of scan_id, content or phrase must be set');
    const common = {
      tenant: input.tenantId,
      kind: input.kind,
      ...(input.threatType ? { threatType: input.threatType } : {}),
      ...(input.note ? { note: input.note } : {}),
    };
    if (input.phrase) return { ...common, subject: 'phrase', text: input.phrase };
    if (input.content) return { ...common, subject: 'content', text: input.content };
    const scan = this.recent.get(input.scanId!);
    // Another tenant's scan id is answered like an unknown one: ids must not leak across tenants.
    if (!scan || scan.tenantId !== input.tenantId) throw new FeedbackNotFoundError('scan id is unknown to this sidecar or no longer remembered; send the content instead');
    const report: FeedbackReport = { ...common, subject: 'content', sha256: scan.contentSha256, scanId: input.scanId! };
    if (input.kind === 'FALSE_POSITIVE') {
      const ruleIds = scan.threats.filter((t) => t.type !== 'SCANNER_ERROR' && (!input.threatType || t.type === input.threatType)).map((t) => t.ruleId);
      if (ruleIds.length === 0) throw new FeedbackError('INVALID_ARGUMENT', 'the scan reported no threat of that kind, so there is nothing to suppress');
      report.ruleIds = [...new Set(ruleIds)];
    }
    return report;
  }

  /** Stores the report, journals it and resolves once every scanner thread enforces it. */
  async report(input: FeedbackRequestInput): Promise<FeedbackOutcome> {
    const entry = this.store.add(this.resolve(input), randomUUID(), new Date().toISOString());
    let persisted = false;
    if (this.options.journalPath) {
      try {
        await appendFeedbackJournal(this.options.journalPath, entry);
        persisted = true;
      } catch (err) {
        this.options.logger?.error({ err: (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.name }, 'feedback journal append failed; entry applies until restart');
      }
    }
    await this.options.pool.applyFeedback(this.store.overlay());
    return { entry, tenantEntries: this.store.entries(input.tenantId).length, persisted };
  }
}
