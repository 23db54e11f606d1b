/**
 * The PII detector: Presidio-style recognizers (one family per file under ./pii/) composed
 * into one detector.
 *
 * For each view it scans (the original text, the normalised text when it differs, and
 * decoded runs), every recognizer proposes candidates with a base score; a context word
 * near a candidate raises it to the candidate's context score; candidates too weak to
 * mean anything are dropped; overlapping candidates are resolved (highest score wins);
 * the survivors become findings with spans in the original text.
 *
 * Findings map to OWASP LLM02 (Sensitive Information Disclosure) and MITRE ATLAS
 * AML.T0057 "LLM Data Leakage" (Exfiltration tactic): the technique in which personal
 * data leaves through a model's input or output, which is what this detector guards.
 */
import RE2 from 're2';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { PolicyValidationError } from '../policy/policy-error.js';
import type { Detector, DetectorFactory, DetectorInput, Finding } from './types.js';
import type { PiiCandidate, PiiRecognizer, PiiRecognizerFactory } from './pii/types.js';
import { PII_ENTITY_INFO, PII_ENTITY_TYPES, isPiiEntityType, type PiiEntityType } from './pii/entities.js';
import { contextWindow, windowHas, type ContextWindow } from './pii/context-words.js';
import { resolveOverlaps } from './pii/resolve-overlaps.js';
import { createEmailRecognizer } from './pii/email-recognizer.js';
import { createPhoneRecognizer } from './pii/phone-recognizer.js';
import { createCreditCardRecognizer } from './pii/credit-card-recognizer.js';
import { createIbanRecognizer } from './pii/iban-recognizer.js';
import { createIpAddressRecognizer } from './pii/ip-address-recognizer.js';
import { createUrlRecognizer } from './pii/url-recognizer.js';
import { createCryptoWalletRecognizer } from './pii/crypto-wallet-recognizer.js';
import { createUsIdentifierRecognizer } from './pii/us-identifiers.js';
import { createUkNhsRecognizer } from './pii/uk-nhs-recognizer.js';
import { createDateTimeRecognizer } from './pii/date-time-recognizer.js';
import { createMedicalLicenseRecognizer } from './pii/medical-license-recognizer.js';
import { createAuTfnRecognizer } from './pii/au-tfn-recognizer.js';

export { PII_ENTITY_TYPES, type PiiEntityType } from './pii/entities.js';

/** OWASP Top 10 for LLM Applications (2025): Sensitive Information Disclosure. */
export const PII_OWASP_ID = 'LLM02';
/** MITRE ATLAS: LLM Data Leakage. */
export const PII_ATLAS_TECHNIQUE = 'AML.T0057';
/** Phone regions used when a policy lists none. */
export const DEFAULT_PHONE_REGIONS: readonly string[] = ['US'];
/**
 * Candidates below this are not reported at all: a bare nine-digit run is not worth a
 * finding until context makes it one. Policies filter further with `minConfidence`.
 */
export const MIN_REPORTED_CONFIDENCE = 0.25;

/** Every recognizer family with the entity types it can produce (so unused ones are never built). */
const RECOGNIZERS: ReadonlyArray<readonly [readonly PiiEntityType[], PiiRecognizerFactory]> = [
  [['EMAIL_ADDRESS'], createEmailRecognizer],
  [['PHONE_NUMBER'], createPhoneRecognizer],
  [['CREDIT_CARD'], createCreditCardRecognizer],
  [['IBAN_CODE'], createIbanRecognizer],
  [['IP_ADDRESS'], createIpAddressRecognizer],
  [['URL'], createUrlRecognizer],
  [['CRYPTO'], createCryptoWalletRecognizer],
  [['US_SSN', 'US_ITIN', 'US_PASSPORT', 'US_BANK_NUMBER', 'US_DRIVER_LICENSE'], createUsIdentifierRecognizer],
  [['UK_NHS'], createUkNhsRecognizer],
  [['DATE_TIME'], createDateTimeRecognizer],
  [['MEDICAL_LICENSE'], createMedicalLicenseRecognizer],
  [['AU_TFN'], createAuTfnRecognizer],
];

/** Anything but printable ASCII, tab and newlines. */
const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

/** A candidate placed in the original text with its final score. */
interface Located {
  entityType: PiiEntityType;
  ruleId: string;
  start: number;
  end: number;
  score: number;
}

/** Builds the PII detector for a policy; null when the policy switches PII off. */
export const createPiiDetector: DetectorFactory = (policy) => {
  const config = policy.detectors.pii;
  if (!config.enabled) return null;
  const wanted = resolveEntities(config.entities);
  const phoneRegions = resolvePhoneRegions(config.phoneRegions);
  const recognizers = RECOGNIZERS.filter(([entities]) => entities.some((e) => wanted.has(e))).map(([, factory]) =>
    factory({ wanted, phoneRegions }),
  );
  return new PiiDetector(recognizers, wanted);
};

class PiiDetector implements Detector {
  readonly id = 'pii';
  readonly produces = ['PII'] as const;
  /** Every recognizer's patterns in one set: one pass tells which recognizers can match. */
  private readonly prefilter: ReturnType<typeof RE2.Set> | null;
  /** Offset of each recognizer's first pattern in the set. */
  private readonly firstPattern: number[] = [];

  constructor(
    private readonly recognizers: readonly PiiRecognizer[],
    private readonly wanted: ReadonlySet<PiiEntityType>,
  ) {
    const sources: string[] = [];
    for (const r of recognizers) {
      this.firstPattern.push(sources.length);
      sources.push(...r.patterns);
    }
    this.prefilter = sources.length > 0 ? new RE2.Set(sources) : null;
  }

  detect(input: DetectorInput): Finding[] {
    const located: Located[] = [];
    const original = input.text.original;
    // The normalised view (lower-cased, leetspeak-folded, whitespace-collapsed) is worth a
    // second pass only when the original has characters outside printable ASCII: zero-width or other
    // invisible characters hidden inside a number, or full-width / non-Latin digits that
    // NFKC turns into ASCII. For ASCII text it finds nothing new and doubles the cost.
    const scanNormalized = NON_ASCII.test(original);
    for (const view of input.text.views) {
      if (view.kind === 'normalized' && (!scanNormalized || view.text === original)) continue;
      // Decoded payloads are read raw: the normalised form folds '@' and case away.
      const text = view.kind === 'decoded' ? (view.rawText ?? view.text) : view.text;
      this.scanView(text, (start, end) => view.toOriginal(start, end), located);
    }
    return resolveOverlaps(located).map(toFinding);
  }

  private scanView(text: string, toOriginal: (s: number, e: number) => { start: number; end: number }, out: Located[]): void {
    if (text.length === 0 || !this.prefilter) return;
    const hits = new Set(this.prefilter.match(text));
    if (hits.size === 0) return;
    const candidates: PiiCandidate[] = [];
    this.recognizers.forEach((recognizer, r) => {
      const first = this.firstPattern[r] as number;
      const matched = (i: number): boolean => hits.has(first + i);
      if (recognizer.patterns.some((_, i) => matched(i))) recognizer.recognize(text, candidates, matched);
    });
    // Several readings of one span (a nine-digit run as SSN, passport, license...) share a window.
    const windows = new Map<number, ContextWindow>();
    const windowOf = (c: PiiCandidate): ContextWindow => {
      const key = c.start * 0x200000 + (c.end - c.start);
      let w = windows.get(key);
      if (!w) windows.set(key, (w = contextWindow(text, c.start, c.end)));
      return w;
    };
    for (const c of candidates) {
      if (!this.wanted.has(c.entityType)) continue;
      const score = c.context && c.contextScore > c.score && windowHas(windowOf(c), c.context) ? c.contextScore : c.score;
      if (score < MIN_REPORTED_CONFIDENCE) continue;
      const span = toOriginal(c.start, c.end);
      out.push({ entityType: c.entityType, ruleId: c.ruleId, start: span.start, end: span.end, score });
    }
  }
}

function toFinding(c: Located): Finding {
  const info = PII_ENTITY_INFO[c.entityType];
  return {
    type: 'PII',
    severity: info.severity,
    confidence: Math.round(c.score * 100) / 100,
    detector: 'pii',
    ruleId: c.ruleId,
    spans: [{ start: c.start, end: c.end }],
    entityType: c.entityType,
    owaspId: PII_OWASP_ID,
    atlasTechnique: PII_ATLAS_TECHNIQUE,
    description: info.description,
  };
}

/** The entity set a policy asks for; empty = all. Unknown names are a policy error, not ignored. */
export function resolveEntities(names: readonly string[]): ReadonlySet<PiiEntityType> {
  if (names.length === 0) return new Set(PII_ENTITY_TYPES);
  const set = new Set<PiiEntityType>();
  for (const name of names) {
    if (!isPiiEntityType(name)) {
      throw new PolicyValidationError(
        `unsupported PII entity "${name}"; supported: ${PII_ENTITY_TYPES.join(', ')}`,
        'detectors.pii.entities',
      );
    }
    set.add(name);
  }
  return set;
}

/** Upper-cased, validated ISO 3166 regions; "UK" is accepted for "GB" (Presidio's spelling). */
export function resolvePhoneRegions(regions: readonly string[]): readonly string[] {
  if (regions.length === 0) return DEFAULT_PHONE_REGIONS;
  const out: string[] = [];
  for (const raw of regions) {
    const upper = raw.toUpperCase();
    const region = upper === 'UK' ? 'GB' : upper;
    if (!isSupportedCountry(region)) {
      throw new PolicyValidationError(`unknown phone region "${raw}"`, 'detectors.pii.phoneRegions');
    }
    if (!out.includes(region)) out.push(region);
  }
  return out;
}
