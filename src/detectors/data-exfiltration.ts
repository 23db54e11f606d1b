/**
 * Data exfiltration detector (OWASP LLM02, MITRE ATLAS AML.T0057 "LLM Data Leakage").
 *
 * 1. Exfiltration channels: markdown images and links, HTML tags and bare URLs
 *    (output/link-extraction.ts) to a host not on the allow-list (policy
 *    `outputGuards.exfiltration.allowedDomains`, plus the built-in documentation domains
 *    unless switched off) whose URL carries data (output/url-data.ts): PII or a secret (found
 *    by the PII and secret detectors over the URL's decoded components), encoded text,
 *    conversation text, data in subdomain labels. The finding's span is the whole construct,
 *    so REDACT removes the image or tag (operator DATA_EXFILTRATION → "[link removed]") and
 *    keeps the rest of the answer. Things that load without a click (images, iframes,
 *    scripts) weigh more: weak evidence (a sentence, a long random token) counts only there.
 *    A link carrying a credential carries the policy's `secretAction` on OUTPUT.
 * 2. Bulk disclosure (OUTPUT only): more PII entities, credentials or personal-data records
 *    in one answer than the policy allows (output/bulk-disclosure.ts), carrying
 *    `bulkDisclosure.action`.
 */
import { DEFAULT_OUTPUT_GUARDS } from '../policy/default-policy.js';
import type { CompiledPolicy, OutputGuardsConfig } from '../policy/types.js';
import { bulkDisclosureFindings, possibleEntities, smallestBulkThreshold } from './output/bulk-disclosure.js';
import { hostInList, WELL_KNOWN_DOMAINS } from './output/domains.js';
import { linksOf, type LinkOccurrence } from './output/link-extraction.js';
import { dataKinds, parseNetworkUrl, subdomainLabels, urlComponents, wordTrigrams, type DataKind } from './output/url-data.js';
import { createPiiDetector } from './pii-recognizers.js';
import { createSecretDetector } from './secret-patterns.js';
import type { AnalyzedText, Detector, DetectorFactory, DetectorInput, Finding, SeverityName, TextSpan } from './types.js';

export const DATA_EXFILTRATION_DETECTOR_ID = 'data-exfiltration';
/** PII inside a URL counts from this confidence: bare digit runs (ids) stay below it. */
const MIN_PII_IN_URL = 0.6;

/** Builds the detector, or null when the policy switches both of its parts off. */
export const createDataExfiltrationDetector: DetectorFactory = (policy) => {
  const guards = policy.outputGuards ?? DEFAULT_OUTPUT_GUARDS;
  if (!guards.exfiltration.enabled && !guards.bulkDisclosure.enabled) return null;
  // The URL and bulk checks need PII and secrets found even when the policy does not act on
  // them as such (the policy's entity list still applies).
  const withDetectors: CompiledPolicy = {
    ...policy,
    detectors: { ...policy.detectors, pii: { ...policy.detectors.pii, enabled: true }, secrets: { enabled: true } },
  };
  return new DataExfiltrationDetector(guards, createPiiDetector(withDetectors) as Detector, createSecretDetector(withDetectors) as Detector, policy.threats.PII.minConfidence);
};

interface Evidence {
  confidence: number;
  severity: SeverityName;
  reasons: string[];
  secret: boolean;
}

interface Candidate {
  link: LinkOccurrence;
  kinds: Set<DataKind>;
  /** [start, end) of this candidate's components in the joined component text. */
  from: number;
  to: number;
  piiTypes: Set<string>;
  secret: boolean;
}

const KIND_TEXT: Record<DataKind, string> = {
  'encoded-text': 'encoded text',
  'host-data': 'data in the host name',
  conversation: 'conversation text',
  prose: 'a sentence',
  'opaque-blob': 'a long opaque token',
};

class DataExfiltrationDetector implements Detector {
  readonly id = DATA_EXFILTRATION_DETECTOR_ID;
  readonly produces = ['DATA_EXFILTRATION'] as const;
  private readonly allowed: readonly string[];

  constructor(
    private readonly guards: OutputGuardsConfig,
    private readonly pii: Detector,
    private readonly secrets: Detector,
    private readonly piiMinConfidence: number,
  ) {
    this.allowed = [...guards.exfiltration.allowedDomains, ...(guards.exfiltration.wellKnownDomains ? WELL_KNOWN_DOMAINS : [])];
  }

  detect(input: DetectorInput): Finding[] {
    const findings = this.guards.exfiltration.enabled ? this.linkFindings(input) : [];
    if (this.guards.bulkDisclosure.enabled && input.direction === 'OUTPUT') findings.push(...this.bulkFindings(input));
    return findings;
  }

  private linkFindings(input: DetectorInput): Finding[] {
    const links = linksOf(input.text);
    if (links.length === 0) return [];
    let conversation: Set<string> | undefined;
    const conversationOf = (): Set<string> =>
      (conversation ??= wordTrigrams(`${input.context?.inputContent ?? ''}\n${input.context?.systemPrompt ?? ''}`));
    const candidates: Candidate[] = [];
    let joined = '';
    for (const link of links) {
      const url = parseNetworkUrl(link.url);
      if (url === null || hostInList(url.hostname, this.allowed)) continue;
      const components = [...urlComponents(url), ...subdomainLabels(url.hostname)];
      if (components.length === 0) continue;
      const from = joined.length;
      // Only components that could hold PII (digits or '@') or a credential (long) are searched.
      joined += `${components.filter((v) => (v.length >= 6 && /[\d@]/.test(v)) || v.length >= 16).join('\n')}\n\n`;
      candidates.push({ link, kinds: dataKinds(url, components, conversationOf()), from, to: joined.length, piiTypes: new Set(), secret: false });
    }
    if (candidates.length === 0) return [];
    this.attachSensitiveData(joined, candidates);
    const byConstruct = new Map<string, { link: LinkOccurrence; evidence: Evidence }>();
    for (const c of candidates) {
      const evidence = evidenceOf(c);
      if (evidence === null) continue;
      const key = `${c.link.span.start}:${c.link.span.end}`;
      const seen = byConstruct.get(key);
      if (!seen || evidence.confidence > seen.evidence.confidence) byConstruct.set(key, { link: c.link, evidence });
    }
    return [...byConstruct.values()].map(({ link, evidence }) => this.linkFinding(link, evidence, input.direction === 'OUTPUT'));
  }

  /** PII and secrets in every candidate's components, in one pass over their joined text. */
  private attachSensitiveData(joined: string, candidates: Candidate[]): void {
    // Components are already decoded: the original view is enough, and the full analysis
    // (normaliser, decoders) would cost more than the whole rest of the scan.
    const text: AnalyzedText = { original: joined, views: [{ kind: 'original', text: joined, toOriginal: (start, end) => ({ start, end }) }] };
    const owner = (span: TextSpan): Candidate | undefined => candidates.find((c) => span.start >= c.from && span.start < c.to);
    for (const f of this.pii.detect({ text, direction: 'OUTPUT' })) {
      if (f.confidence < MIN_PII_IN_URL || f.spans[0] === undefined) continue;
      owner(f.spans[0])?.piiTypes.add(f.entityType ?? 'PII');
    }
    for (const f of this.secrets.detect({ text, direction: 'OUTPUT' })) {
      if (f.confidence < 0.5 || f.spans[0] === undefined) continue;
      const c = owner(f.spans[0]);
      if (c) c.secret = true;
    }
  }

  private linkFinding(link: LinkOccurrence, evidence: Evidence, output: boolean): Finding {
    const what = describeLink(link);
    const finding: Finding = {
      type: 'DATA_EXFILTRATION',
      severity: evidence.severity,
      confidence: evidence.confidence,
      detector: this.id,
      ruleId: link.autoLoads ? 'exfil-auto-loading-url' : 'exfil-link',
      spans: [link.span],
      owaspId: 'LLM02',
      atlasTechnique: 'AML.T0057',
      description: `${what} sends ${evidence.reasons.join(', ')} to a domain not on the allow-list.`,
    };
    if (evidence.secret && output) finding.action = this.guards.exfiltration.secretAction;
    return finding;
  }

  private bulkFindings(input: DetectorInput): Finding[] {
    const config = this.guards.bulkDisclosure;
    const text = input.text.original;
    const mayBeBulk = possibleEntities(text) >= smallestBulkThreshold(config);
    const pii = mayBeBulk ? this.pii.detect(input).filter((f) => f.confidence >= this.piiMinConfidence) : [];
    const secrets = possibleCredentials(text) > config.maxSecrets ? this.secrets.detect(input) : [];
    if (pii.length === 0 && secrets.length <= config.maxSecrets) return [];
    return bulkDisclosureFindings(text, pii, secrets, config).map((f) => ({ ...f, action: config.action }));
  }
}

/** Token-shaped runs (16+ characters with letters and digits): more than maxSecrets of them is needed for bulk credentials. */
function possibleCredentials(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/[A-Za-z0-9_\-+/=.]{16,}/g)) if (/\d/.test(m[0]) && /[A-Za-z]/.test(m[0])) n++;
  return n;
}

function describeLink(link: LinkOccurrence): string {
  switch (link.kind) {
    case 'markdown-image':
      return 'A markdown image';
    case 'markdown-link':
      return 'A markdown link';
    case 'markdown-reference':
      return link.autoLoads ? 'A markdown image reference' : 'A markdown link reference';
    case 'html-tag':
      return link.autoLoads ? 'An auto-loading HTML tag' : 'An HTML link';
    default:
      return 'A URL';
  }
}

/** How sure the link exfiltrates, from what its URL carries; null when it carries nothing. */
function evidenceOf(c: Candidate): Evidence | null {
  const reasons: string[] = [];
  let confidence = 0;
  let severity: SeverityName = 'MEDIUM';
  const raise = (value: number, level: SeverityName, reason: string): void => {
    reasons.push(reason);
    if (value > confidence) {
      confidence = value;
      severity = level;
    }
  };
  if (c.secret) raise(0.95, 'CRITICAL', 'a credential');
  if (c.piiTypes.size > 0) raise(0.9, 'HIGH', `personal data (${[...c.piiTypes].sort().join(', ')})`);
  for (const kind of ['encoded-text', 'conversation', 'host-data'] as const) {
    if (c.kinds.has(kind)) raise(0.85, 'HIGH', KIND_TEXT[kind]);
  }
  // Weak evidence: normal for a clicked link (search queries, signed URLs), not for an image.
  if (c.kinds.has('prose')) raise(c.link.autoLoads ? 0.7 : 0.4, 'MEDIUM', KIND_TEXT.prose);
  if (c.kinds.has('opaque-blob')) raise(c.link.autoLoads ? 0.6 : 0.35, 'MEDIUM', KIND_TEXT['opaque-blob']);
  return confidence > 0 ? { confidence, severity, reasons, secret: c.secret } : null;
}
