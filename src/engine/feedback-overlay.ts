/**
 * Tenant feedback applied by the engine: reported false positives suppress findings, reported
 * false negatives add a BLOCK finding. The entries travel inside the {@link PolicySet}
 * (`PolicySet.feedback`, plain data), so they reach every worker thread with the pool's own
 * policy broadcast and take effect on the first scan after the set is installed; the engine
 * compiles them once per set, here.
 *
 * Scoping and safety:
 * - Entries are per tenant, keyed by the tenant id of the REQUEST (a tenant without a policy of
 *   its own still only sees its own feedback).
 * - Allow entries never suppress SCANNER_ERROR (the fail mode is not negotiable) nor another
 *   deny entry's finding.
 * - A tenant with no entries costs one Map lookup per scan; hashes are computed only for
 *   tenants that have entries of the matching kind.
 */
import type { AnalyzedText, DirectionName, Finding, ThreatTypeName } from '../detectors/types.js';
import { compileCustomRules, runCustomRules, type CompiledCustomRules } from '../detectors/custom-rules.js';
import type { CompiledPolicy } from '../policy/types.js';
import { actionForFinding } from './decide-action.js';
import { feedbackHash } from './feedback-text.js';
import type { DecidedFinding } from './run-detectors.js';

/** Threat types feedback may name (SCANNER_ERROR is never feedback's business). */
export type FeedbackThreatType = Exclude<ThreatTypeName, 'SCANNER_ERROR'>;

/** A reported false positive on a whole text: its findings are suppressed when it comes back. */
export interface AllowContentEntry {
  id: string;
  /** feedbackHash of the content. */
  contentSha256: string;
  /** Only findings with these rule ids (the ones the reported scan had); empty = any. */
  ruleIds: string[];
  /** Only findings of this type; absent = any. */
  threatType?: FeedbackThreatType;
}

/** A reported false positive on a piece of text: findings whose spans are all that text are suppressed. */
export interface AllowSpanEntry {
  id: string;
  /** feedbackHash of the flagged text. */
  textSha256: string;
  threatType?: FeedbackThreatType;
}

/** A reported false negative on a whole text: it is blocked when it comes back. */
export interface DenyContentEntry {
  id: string;
  contentSha256: string;
}

/** A reported false negative on a phrase: blocked wherever it appears (case-insensitive, whole words). */
export interface DenyPhraseEntry {
  id: string;
  phrase: string;
}

export interface TenantFeedback {
  allowContent: AllowContentEntry[];
  allowSpans: AllowSpanEntry[];
  denyContent: DenyContentEntry[];
  denyPhrases: DenyPhraseEntry[];
}

/** All feedback a sidecar enforces. Plain data: it crosses thread boundaries inside the PolicySet. */
export interface FeedbackOverlay {
  /** Increases with every change (part of the enforced set's version). */
  revision: number;
  /** Tenant id → its entries. */
  tenants: Record<string, TenantFeedback>;
}

export const FEEDBACK_DETECTOR = 'feedback';

/** Rule id of a deny entry's finding. */
export function feedbackRuleId(entryId: string): string {
  return `feedback:${entryId}`;
}

function originalOnly(content: string): AnalyzedText {
  return { original: content, views: [{ kind: 'original', text: content, toOriginal: (start, end) => ({ start, end }) }] };
}

/**
 * Compiles deny phrases with the custom-rule machinery (RE2, whole words, case-insensitive,
 * flexible whitespace) as one rule per entry. Matching runs on the original text only.
 * @throws PolicyValidationError (via compileCustomRules) for a phrase it refuses.
 */
export function compileDenyPhrases(entries: readonly DenyPhraseEntry[]): CompiledCustomRules {
  return compileCustomRules(
    entries.map((e) => ({
      id: feedbackRuleId(e.id),
      phrases: [e.phrase],
      action: 'BLOCK',
      severity: 'HIGH',
      directions: ['INPUT', 'OUTPUT'],
      caseSensitive: false,
      description: 'Blocked by tenant feedback: a phrase reported as a missed threat',
    })),
  );
}

function denyFinding(entryId: string, spans: Finding['spans'], description: string): Finding {
  return {
    type: 'CUSTOM_RULE',
    severity: 'HIGH',
    confidence: 1,
    detector: FEEDBACK_DETECTOR,
    ruleId: feedbackRuleId(entryId),
    spans,
    owaspId: 'LLM01',
    atlasTechnique: '',
    description,
    action: 'BLOCK',
  };
}

/** One tenant's entries, compiled: hash sets and a phrase matcher. */
class CompiledTenantFeedback {
  private readonly allowContent = new Map<string, AllowContentEntry[]>();
  private readonly allowSpans = new Map<string, AllowSpanEntry[]>();
  private readonly denyContent = new Map<string, DenyContentEntry>();
  private readonly denyPhrases: CompiledCustomRules | null;

  constructor(entries: TenantFeedback) {
    for (const e of entries.allowContent) this.allowContent.set(e.contentSha256, [...(this.allowContent.get(e.contentSha256) ?? []), e]);
    for (const e of entries.allowSpans) this.allowSpans.set(e.textSha256, [...(this.allowSpans.get(e.textSha256) ?? []), e]);
    for (const e of entries.denyContent) this.denyContent.set(e.contentSha256, e);
    this.denyPhrases = entries.denyPhrases.length > 0 ? compileDenyPhrases(entries.denyPhrases) : null;
  }

  apply(content: string, direction: DirectionName, policy: CompiledPolicy, decided: DecidedFinding[]): DecidedFinding[] {
    const needContentHash = this.allowContent.size > 0 || this.denyContent.size > 0;
    const contentSha256 = needContentHash ? feedbackHash(content) : '';
    const allowedHere = this.allowContent.get(contentSha256) ?? [];

    const suppressed = (f: Finding): boolean => {
      if (f.type === 'SCANNER_ERROR' || f.detector === FEEDBACK_DETECTOR) return false;
      const matches = (e: { threatType?: FeedbackThreatType }): boolean => e.threatType === undefined || e.threatType === f.type;
      if (allowedHere.some((e) => matches(e) && (e.ruleIds.length === 0 || e.ruleIds.includes(f.ruleId)))) return true;
      if (this.allowSpans.size === 0 || f.spans.length === 0) return false;
      return f.spans.every((s) => (this.allowSpans.get(feedbackHash(content.slice(s.start, s.end))) ?? []).some(matches));
    };
    const out = allowedHere.length > 0 || this.allowSpans.size > 0 ? decided.filter((d) => !suppressed(d.finding)) : [...decided];

    const denied = this.denyContent.get(contentSha256);
    if (denied) out.push({ finding: denyFinding(denied.id, [], 'Blocked by tenant feedback: this text was reported as a missed threat'), action: 'BLOCK' });
    if (this.denyPhrases) {
      for (const f of runCustomRules(this.denyPhrases, { text: originalOnly(content), direction })) {
        const finding: Finding = { ...f, detector: FEEDBACK_DETECTOR };
        out.push({ finding, action: actionForFinding(finding, policy, direction) });
      }
    }
    return out;
  }
}

/** Every tenant's feedback of one overlay, compiled once per policy set (per worker thread). */
export class CompiledFeedback {
  private readonly tenants = new Map<string, CompiledTenantFeedback>();

  private constructor(overlay: FeedbackOverlay) {
    for (const [tenant, entries] of Object.entries(overlay.tenants)) this.tenants.set(tenant, new CompiledTenantFeedback(entries));
  }

  /** Null when there is nothing to apply (the engine then skips feedback entirely). */
  static of(overlay: FeedbackOverlay | undefined): CompiledFeedback | null {
    if (!overlay || Object.keys(overlay.tenants).length === 0) return null;
    return new CompiledFeedback(overlay);
  }

  /** The findings after the tenant's feedback; `tenantId` "" means "default". */
  apply(tenantId: string, content: string, direction: DirectionName, policy: CompiledPolicy, decided: DecidedFinding[]): DecidedFinding[] {
    const tenant = this.tenants.get(tenantId || 'default');
    return tenant ? tenant.apply(content, direction, policy, decided) : decided;
  }
}
