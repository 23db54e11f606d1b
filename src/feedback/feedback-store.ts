/**
 * The feedback store: tenant-scoped reports of wrong decisions, kept in memory (pure: no I/O,
 * no clock of its own), turned into the plain-data {@link FeedbackOverlay} the engine applies.
 *
 * What each report becomes:
 * - false positive on a text (by scan id or content) → allow entry on the text's normalised
 *   hash, limited to the rule ids the reported scan had (by scan id) and to a threat type when
 *   one is named;
 * - false positive on a phrase → allow entry on the phrase's hash: findings whose spans are
 *   all that phrase are suppressed wherever it appears;
 * - false negative on a text → deny entry on its hash (BLOCK when it comes back);
 * - false negative on a phrase → deny phrase (BLOCK wherever it appears, whole words).
 * The latest report on the same text wins: an allow removes an earlier deny of that text and
 * the other way round, so a tenant can correct its own feedback.
 */
import type { AllowContentEntry, AllowSpanEntry, DenyContentEntry, DenyPhraseEntry, FeedbackOverlay, FeedbackThreatType, TenantFeedback } from '../engine/feedback-overlay.js';
import { compileDenyPhrases } from '../engine/feedback-overlay.js';
import { feedbackHash } from '../engine/feedback-text.js';

export type FeedbackKind = 'FALSE_POSITIVE' | 'FALSE_NEGATIVE';

/** What a report is about: a whole text (named by scan id or given) or a phrase. */
export type FeedbackSubject = 'content' | 'phrase';

/** One stored report: what the journal keeps and the export reads. Never holds scanned text unless the caller sent it. */
export interface FeedbackEntry {
  id: string;
  tenant: string;
  kind: FeedbackKind;
  subject: FeedbackSubject;
  /** feedbackHash of the content or phrase. */
  sha256: string;
  /** ISO time of the report. */
  createdAt: string;
  /** The scan the report names, when it named one. */
  scanId?: string;
  /** False positives by scan id: the rule ids that scan reported (only those are suppressed). */
  ruleIds?: string[];
  threatType?: FeedbackThreatType;
  /** The text itself, only when the caller sent it (content or phrase); never for a scan id. */
  text?: string;
  note?: string;
}

/** A report as the transport hands it over (already resolved: a scan id became its hash and rule ids). */
export interface FeedbackReport {
  tenant: string;
  kind: FeedbackKind;
  subject: FeedbackSubject;
  /** Set for subject "content" named by scan id (the hash is all that is known). */
  sha256?: string;
  /** Set when the caller sent the text (content or phrase). */
  text?: string;
  scanId?: string;
  ruleIds?: string[];
  threatType?: FeedbackThreatType;
  note?: string;
}

/** A report the store refuses; the message is safe to return (it never quotes the text). */
export class FeedbackError extends Error {
  constructor(
    readonly code: 'INVALID_ARGUMENT' | 'RESOURCE_EXHAUSTED',
    message: string,
  ) {
    super(message);
    this.name = 'FeedbackError';
  }
}

export interface FeedbackStoreOptions {
  /** Entries one tenant may hold (default 10,000): the overlay travels to every thread. */
  maxEntriesPerTenant?: number;
  /** Longest note kept (default 1,000 characters). */
  maxNoteLength?: number;
}

const MAX_PHRASE_LENGTH = 256;

function validate(report: FeedbackReport, maxNoteLength: number): void {
  if (report.tenant === '') throw new FeedbackError('INVALID_ARGUMENT', 'tenant is empty');
  if (report.subject === 'phrase') {
    const phrase = report.text?.trim() ?? '';
    if (phrase === '') throw new FeedbackError('INVALID_ARGUMENT', 'phrase is empty');
    if (phrase.length > MAX_PHRASE_LENGTH) throw new FeedbackError('INVALID_ARGUMENT', `phrase is longer than ${MAX_PHRASE_LENGTH} characters`);
    if (report.kind === 'FALSE_NEGATIVE') {
      try {
        compileDenyPhrases([{ id: 'check', phrase }]);
      } catch {
        throw new FeedbackError('INVALID_ARGUMENT', 'phrase cannot be matched as whole words');
      }
    }
  } else if (report.sha256 === undefined && (report.text === undefined || report.text === '')) {
    throw new FeedbackError('INVALID_ARGUMENT', 'content is empty');
  }
  if ((report.note?.length ?? 0) > maxNoteLength) throw new FeedbackError('INVALID_ARGUMENT', `note is longer than ${maxNoteLength} characters`);
}

function emptyTenant(): TenantFeedback {
  return { allowContent: [], allowSpans: [], denyContent: [], denyPhrases: [] };
}

/** The overlay entry an entry becomes. */
function place(entry: FeedbackEntry, into: TenantFeedback): void {
  const typed = entry.threatType ? { threatType: entry.threatType } : {};
  if (entry.kind === 'FALSE_POSITIVE') {
    if (entry.subject === 'content') into.allowContent.push({ id: entry.id, contentSha256: entry.sha256, ruleIds: entry.ruleIds ?? [], ...typed } satisfies AllowContentEntry);
    else into.allowSpans.push({ id: entry.id, textSha256: entry.sha256, ...typed } satisfies AllowSpanEntry);
  } else if (entry.subject === 'content') {
    into.denyContent.push({ id: entry.id, contentSha256: entry.sha256 } satisfies DenyContentEntry);
  } else {
    into.denyPhrases.push({ id: entry.id, phrase: (entry.text ?? '').trim() } satisfies DenyPhraseEntry);
  }
}

export class FeedbackStore {
  /** tenant → entries in report order. */
  private readonly byTenant = new Map<string, FeedbackEntry[]>();
  private rev = 0;
  private readonly maxEntries: number;
  private readonly maxNoteLength: number;

  constructor(options: FeedbackStoreOptions = {}) {
    this.maxEntries = options.maxEntriesPerTenant ?? 10_000;
    this.maxNoteLength = options.maxNoteLength ?? 1_000;
  }

  /** Changes so far; 0 = nothing to apply. */
  get revision(): number {
    return this.rev;
  }

  /**
   * Turns a report into an entry and stores it. `id` and `createdAt` come from the caller
   * (the store has no clock and no randomness of its own).
   * @throws FeedbackError for an invalid report or a tenant at its limit.
   */
  add(report: FeedbackReport, id: string, createdAt: string): FeedbackEntry {
    validate(report, this.maxNoteLength);
    const text = report.subject === 'phrase' ? report.text!.trim() : report.text;
    const entry: FeedbackEntry = {
      id,
      tenant: report.tenant,
      kind: report.kind,
      subject: report.subject,
      sha256: report.sha256 ?? feedbackHash(text ?? ''),
      createdAt,
    };
    if (report.scanId) entry.scanId = report.scanId;
    if (report.ruleIds && report.ruleIds.length > 0) entry.ruleIds = [...report.ruleIds];
    if (report.threatType) entry.threatType = report.threatType;
    if (text !== undefined) entry.text = text;
    if (report.note) entry.note = report.note;
    this.insert(entry);
    return entry;
  }

  /** Puts back entries read from a journal, in their order (the same rules as `add`). */
  restore(entries: Iterable<FeedbackEntry>): void {
    for (const entry of entries) this.insert(entry);
  }

  private insert(entry: FeedbackEntry): void {
    const list = this.byTenant.get(entry.tenant) ?? [];
    const sameText = (e: FeedbackEntry): boolean => e.subject === entry.subject && e.sha256 === entry.sha256;
    // A repeated report replaces the earlier one (their rule ids merge), so repeats do not use up the limit.
    const repeated = list.filter((e) => sameText(e) && e.kind === entry.kind && e.threatType === entry.threatType);
    const ruleIds = [...new Set([...repeated.flatMap((e) => e.ruleIds ?? []), ...(entry.ruleIds ?? [])])];
    if (repeated.length > 0 && entry.ruleIds !== undefined && repeated.every((e) => e.ruleIds !== undefined)) entry.ruleIds = ruleIds;
    else if (repeated.length > 0) delete entry.ruleIds; // one of them covered every rule: so does the merge
    // The latest word on a text wins: an opposite report on the same text replaces it.
    const kept = list.filter((e) => !(sameText(e) && (e.kind !== entry.kind || repeated.includes(e))));
    if (kept.length >= this.maxEntries) {
      throw new FeedbackError('RESOURCE_EXHAUSTED', `tenant already has ${this.maxEntries} feedback entries`);
    }
    kept.push(entry);
    this.byTenant.set(entry.tenant, kept);
    this.rev++;
  }

  /** A tenant's entries in report order (all tenants' when `tenant` is undefined). */
  entries(tenant?: string): FeedbackEntry[] {
    if (tenant !== undefined) return [...(this.byTenant.get(tenant) ?? [])];
    return [...this.byTenant.values()].flat();
  }

  /** What the engine applies: plain data, structured-cloneable. */
  overlay(): FeedbackOverlay {
    const tenants: Record<string, TenantFeedback> = {};
    for (const [tenant, list] of this.byTenant) {
      if (list.length === 0) continue;
      const t = emptyTenant();
      for (const entry of list) place(entry, t);
      tenants[tenant] = t;
    }
    return { revision: this.rev, tenants };
  }
}
