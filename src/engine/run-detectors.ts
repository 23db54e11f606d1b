/**
 * Runs a policy's detectors over one content and decides each finding's action. Shared by
 * whole scans and stream windows; they differ only in what they do with the result.
 *
 * Failures never escape: a detector that throws, a detector that failed to build, the
 * normaliser throwing, or the time budget running out each become a SCANNER_ERROR finding
 * whose action the policy's fail mode decides (closed: BLOCK and stop; open: WARN and carry on
 * with what can still run). The exception text is logged by name only, never returned.
 */
import { analyzeText } from '../detectors/normalize/analyze-text.js';
import type { ActionName, AnalyzedText, DirectionName, Finding, ScanContext, TextSpan } from '../detectors/types.js';
import type { CompiledPolicy } from '../policy/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { CompiledDetectors } from './compiled-detectors.js';
import { actionForFinding, meetsConfidence, shortCircuits } from './decide-action.js';
import { now } from './scan-budget.js';

/** A finding that survived the policy, with its action. */
export interface DecidedFinding {
  readonly finding: Finding;
  readonly action: ActionName;
}

export interface DetectionRequest {
  policy: CompiledPolicy;
  compiled: CompiledDetectors;
  content: string;
  direction: DirectionName;
  /** performance.now() value after which no further detector starts. */
  budgetEnd: number;
  logger?: Logger;
  /** What the scan knows besides the content (system prompt, input, tenant key); passed to every detector. */
  context?: ScanContext;
  /** When given, receives how long the normaliser and each detector took (metrics, trace spans). */
  timings?: DetectorTiming[];
}

/** One step of a scan's detection: `startMs` is performance.now() when it began. */
export interface DetectorTiming {
  readonly detector: string;
  readonly startMs: number;
  readonly durationMs: number;
}

type ScannerErrorKind = 'time-budget-exceeded' | 'detector-failed' | 'normalizer-failed' | 'redaction-failed';

const SCANNER_ERROR_TEXT: Record<ScannerErrorKind, string> = {
  'time-budget-exceeded': 'time budget exceeded',
  'detector-failed': 'a detector failed',
  'normalizer-failed': 'text normalisation failed',
  'redaction-failed': 'redaction failed, so the content cannot be passed on',
};

/** A SCANNER_ERROR finding; its action is the fail mode's unless `action` is given. */
export function scannerError(kind: ScannerErrorKind, detector: string, policy: CompiledPolicy, action?: ActionName): DecidedFinding {
  const finding: Finding = {
    type: 'SCANNER_ERROR',
    severity: 'HIGH',
    confidence: 1,
    detector,
    ruleId: kind,
    spans: [],
    owaspId: '',
    atlasTechnique: '',
    description: SCANNER_ERROR_TEXT[kind],
  };
  return { finding, action: action ?? actionForFinding(finding, policy, 'INPUT') };
}

/** Only the original text: what detectors still get when the normaliser failed under fail-open. */
function originalOnly(content: string): AnalyzedText {
  return { original: content, views: [{ kind: 'original', text: content, toOriginal: (start, end) => ({ start, end }) }] };
}

/** Runs the detectors; returns the findings that count, in detector order. */
export function runDetectors(request: DetectionRequest): DecidedFinding[] {
  const { policy, compiled, content, direction, budgetEnd, logger, context, timings } = request;
  const closed = policy.failMode === 'closed';
  const decided: DecidedFinding[] = [];
  if (compiled.slots[direction].length === 0) return decided;

  let text: AnalyzedText;
  const normalizeStart = now();
  try {
    text = analyzeText(content);
    timings?.push({ detector: 'normalizer', startMs: normalizeStart, durationMs: now() - normalizeStart });
  } catch (err) {
    logger?.warn({ detector: 'normalizer', errorName: (err as Error)?.name, policyVersion: policy.version }, 'normaliser failed');
    decided.push(scannerError('normalizer-failed', 'normalizer', policy));
    if (closed) return decided;
    text = originalOnly(content);
  }

  // Allow-list matches are computed at most once per scan, and only if a finding has spans.
  let allowed: TextSpan[] | undefined;
  const isAllowListed = (finding: Finding): boolean => {
    const allowList = compiled.allowList;
    if (allowList === null || finding.spans.length === 0) return false;
    allowed ??= allowList.matches(content);
    return allowList.covers(finding.spans, allowed);
  };
  const appliesToDirection = (finding: Finding): boolean => {
    if (finding.type !== 'CUSTOM_RULE') return true;
    const directions = compiled.ruleDirections.get(finding.ruleId);
    return directions === undefined || directions.includes(direction);
  };

  for (const slot of compiled.slots[direction]) {
    const slotStart = now();
    if (slotStart > budgetEnd) {
      decided.push(scannerError('time-budget-exceeded', slot.name, policy));
      return decided;
    }
    let findings: Finding[];
    try {
      if (slot.detector === null) throw new Error('detector failed to build');
      findings = slot.detector.detect(context ? { text, direction, context } : { text, direction });
      timings?.push({ detector: slot.name, startMs: slotStart, durationMs: now() - slotStart });
    } catch (err) {
      logger?.warn({ detector: slot.name, errorName: (err as Error)?.name, policyVersion: policy.version }, 'detector failed');
      decided.push(scannerError('detector-failed', slot.name, policy));
      if (closed) return decided;
      continue;
    }
    let stop = false;
    for (const finding of findings) {
      if (!meetsConfidence(finding, policy) || !appliesToDirection(finding) || isAllowListed(finding)) continue;
      const action = actionForFinding(finding, policy, direction);
      // ALLOW means the policy does not care about this type here: not reported.
      if (action === 'ALLOW') continue;
      decided.push({ finding, action });
      stop ||= shortCircuits(finding, action);
    }
    if (stop) break;
  }
  return decided;
}
