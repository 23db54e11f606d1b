/**
 * The contract between the engine and every detector.
 *
 * Detectors are pure: text in, findings out, no I/O, no clocks, no globals that change.
 * They are compiled once per policy (in each worker thread) by a {@link DetectorFactory}
 * and then called for every scan.
 *
 * Offsets inside the process are UTF-16 code unit offsets into the ORIGINAL content
 * (JavaScript string indices). The engine converts them to Unicode code points at the
 * API edge; detectors never do.
 */
import type { CompiledPolicy } from '../policy/types.js';

export type ThreatTypeName =
  | 'PROMPT_INJECTION'
  | 'JAILBREAK'
  | 'PII'
  | 'SECRET'
  | 'DATA_EXFILTRATION'
  | 'SYSTEM_PROMPT_LEAK'
  | 'TOXICITY'
  | 'CUSTOM_RULE'
  | 'UNSAFE_CODE'
  | 'MALICIOUS_URL'
  | 'SCANNER_ERROR';

export type SeverityName = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** Ordered from least to most severe; the scan's action is the maximum over its threats. */
export type ActionName = 'ALLOW' | 'WARN' | 'REDACT' | 'BLOCK';

export type DirectionName = 'INPUT' | 'OUTPUT';

/** A half-open range [start, end) of UTF-16 code units in the original content. */
export interface TextSpan {
  start: number;
  end: number;
}

/** One thing a detector found. */
export interface Finding {
  type: ThreatTypeName;
  severity: SeverityName;
  /** 0..1 */
  confidence: number;
  /** Detector id, e.g. "injection-patterns". */
  detector: string;
  /** The rule or model that matched, e.g. "inj-ignore-previous", "CREDIT_CARD". */
  ruleId: string;
  /** Spans in the original content (UTF-16 offsets). Empty = about the whole content. */
  spans: TextSpan[];
  /** Presidio entity type for PII (EMAIL_ADDRESS, ...); a secret kind for SECRET. */
  entityType?: string;
  /** OWASP LLM Top 10 (2025) id, e.g. "LLM01". */
  owaspId: string;
  /** MITRE ATLAS technique id, e.g. "AML.T0051". */
  atlasTechnique: string;
  /** Short explanation; must never contain the matched text. */
  description: string;
  /**
   * An action the rule itself demands (custom rules carry one). When absent the
   * policy's per-threat-type action applies.
   */
  action?: ActionName;
}

/**
 * One way of looking at the content. `views[0]` is always the original text;
 * then the normalised text; then decoded runs (base64/hex/URL) found inside it.
 */
export interface TextView {
  kind: 'original' | 'normalized' | 'decoded';
  text: string;
  /**
   * For decoded views: how the run was encoded, and how deep the nesting was (1 = decoded once).
   * 'unicode-tags' = invisible Unicode tag characters (U+E0020–U+E007E) spelling out ASCII;
   * 'binary' = groups of eight 0/1 digits; 'morse' = International Morse code.
   */
  encoding?: 'base64' | 'hex' | 'url' | 'binary' | 'morse' | 'unicode-tags';
  depth?: number;
  /**
   * For decoded views: the decoded payload BEFORE normalisation (case, punctuation and `@`
   * intact), same length semantics as the encoded run. PII and secret detectors read this;
   * intent detectors read the normalised `text`. Spans in it map with `toOriginal` too.
   */
  rawText?: string;
  /**
   * Maps a span of `text` (UTF-16 offsets) to the span of the ORIGINAL content it came from.
   * For decoded views every span maps to the whole encoded run.
   */
  toOriginal(start: number, end: number): TextSpan;
}

/** The content plus its views, computed once per scan and shared by all detectors. */
export interface AnalyzedText {
  original: string;
  views: TextView[];
}

/**
 * What a scan knows besides the content, for detectors that compare the content with it
 * (output guards). Plain data; every field is optional and most scans carry none.
 */
export interface ScanContext {
  /** The application's system prompt (OUTPUT scans): an answer reproducing it is a leak. */
  systemPrompt?: string;
  /** The input that produced this answer (OUTPUT scans). */
  inputContent?: string;
  /** The tenant whose policy applies. */
  tenant?: string;
  /**
   * Replies an injected INPUT of the same request demanded ("respond only with ..."), as
   * extracted at input time (src/detectors/output/demanded-replies.ts).
   */
  demandedReplies?: readonly string[];
  /** Base64 per-tenant canary key from the compiled policy; absent or "" = canaries unverifiable. */
  canaryKey?: string;
}

export interface DetectorInput {
  text: AnalyzedText;
  direction: DirectionName;
  /** Absent for plain scans; see {@link ScanContext}. */
  context?: ScanContext;
}

export interface Detector {
  /** Stable id, also used in `Finding.detector`. */
  readonly id: string;
  /** The threat types this detector can produce (used to skip detectors a policy has switched off). */
  readonly produces: readonly ThreatTypeName[];
  detect(input: DetectorInput): Finding[];
}

/**
 * Builds a detector for a policy, or returns null when the policy switches it off.
 * May throw a {@link PolicyValidationError} for configuration the detector rejects.
 */
export type DetectorFactory = (policy: CompiledPolicy) => Detector | null;
