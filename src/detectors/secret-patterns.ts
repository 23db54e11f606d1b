/**
 * Secret and credential detection: provider token formats, private keys, connection strings,
 * JWTs and "password = value" assignments, from the data catalogue rules/secret-rules.yaml.
 *
 * How a scan runs:
 * 1. One RE2.Set pass over every rule's literal keywords ("ghp_", "akia", "password", ...)
 *    on the ASCII-lower-cased text says which rules can match at all (a set of the full
 *    patterns was ~30x slower).
 * 2. Only those rules run individually; every match goes through the rule's checks
 *    (validators, value profile, entropy, placeholder filter; see secrets/secret-candidate.ts).
 * 3. Overlapping candidates are resolved by catalogue order (specific formats before generic
 *    assignments), so one secret yields one finding.
 * Decoded base64/hex/URL runs are searched through their raw payload (`rawText`) like the
 * original text; views without one fall back to rules marked `decodedViews`, searched
 * case-insensitively, because the normaliser lower-cases decoded text (a case-sensitive token
 * format cannot be recognised there; a PEM header can).
 *
 * Findings: type SECRET, OWASP LLM02:2025 (Sensitive Information Disclosure), MITRE ATLAS
 * AML.T0055 (Unsecured Credentials). The span is the secret value only, so redaction replaces
 * the value and keeps "password=" readable.
 */
import type { Detector, DetectorFactory, Finding, TextSpan, TextView } from './types.js';
import type { AnalyzedText } from './types.js';
import { shannonEntropy } from './secrets/entropy.js';
import { evaluateMatch, type SecretCandidate } from './secrets/secret-candidate.js';
import { loadSecretRuleCatalog, type SecretRule, type SecretRuleCatalog } from './secrets/secret-rule-catalog.js';

export const SECRET_DETECTOR_ID = 'secrets';
export const SECRET_OWASP_ID = 'LLM02';
export const SECRET_ATLAS_TECHNIQUE = 'AML.T0055';

/**
 * Matches examined per rule and text (or keyword window): bounds the work on hostile input.
 * Generous, because a secret past the bound would go unreported; a text with more than this
 * many candidates of one rule is far outside any latency budget anyway (the engine's time
 * budget and fail mode take over).
 */
const MAX_MATCHES_PER_RULE = 10_000;

/**
 * A token-shaped substring glued to this many random-looking base64 characters on either side
 * is a coincidence inside an encoded blob (an image data URI, a sealed secret), not a token.
 * "Random-looking" (entropy) keeps URL paths such as /api/v1/token/<token> out of it.
 */
const BLOB_CONTEXT = 32;
const BLOB_MIN_ENTROPY = 4.2;

function isBase64Char(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 43 || code === 47 || code === 61
  );
}

function embeddedInBlob(text: string, start: number, end: number): boolean {
  let left = 0;
  while (left < BLOB_CONTEXT && start - left - 1 >= 0 && isBase64Char(text.charCodeAt(start - left - 1))) left++;
  let right = 0;
  while (right < BLOB_CONTEXT && end + right < text.length && isBase64Char(text.charCodeAt(end + right))) right++;
  return (
    (left >= BLOB_CONTEXT && shannonEntropy(text.slice(start - left, start)) >= BLOB_MIN_ENTROPY) ||
    (right >= BLOB_CONTEXT && shannonEntropy(text.slice(end, end + right)) >= BLOB_MIN_ENTROPY)
  );
}

/** ANSI colour escapes glue themselves to tokens ("\x1b[93msk-..."); blank them, keeping offsets. */
// eslint-disable-next-line no-control-regex -- matching the ESC control character is the point
const ANSI_ESCAPE = /\x1b\[[0-9;]*[A-Za-z]/g;

function withoutAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI_ESCAPE, (esc) => ' '.repeat(esc.length)) : text;
}

interface MappedCandidate {
  rule: SecretRule;
  span: TextSpan;
  confidence: number;
}

function matchRule(rule: SecretRule, regex: SecretRule['regex'], text: string, checkBlob: boolean): SecretCandidate[] {
  const found: SecretCandidate[] = [];
  regex.lastIndex = 0;
  let matches = 0;
  let m: RegExpExecArray | null;
  while (matches < MAX_MATCHES_PER_RULE && (m = regex.exec(text)) !== null) {
    matches++;
    const result = evaluateMatch(rule, m);
    if (typeof result !== 'string' && !(checkBlob && embeddedInBlob(text, result.start, result.end))) {
      found.push(result);
      // Patterns consume one boundary character after the secret; restart right after the
      // secret so that "a=SECRET1 b=SECRET2" finds both.
      regex.lastIndex = Math.max(result.end, m.index + 1);
    } else {
      // A rejected match may have consumed the boundary the next candidate needs
      // ("token-id: x\ntoken-secret: y"): search again from the next character.
      regex.lastIndex = m.index + 1;
    }
    if (regex.lastIndex > text.length) break;
  }
  regex.lastIndex = 0;
  return found;
}

/** Lower-cases ASCII letters only, so offsets stay those of the original. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

/** Longest slice of one line a line-scoped rule is run on (minified code has huge lines). */
const MAX_LINE_WINDOW = 4096;
/** Nearby keyword lines are run as one window, up to this length, to save per-call overhead. */
const MAX_MERGED_WINDOW = 1024;
const MERGE_GAP = 256;

/**
 * The [start, end) windows of the lines containing one of `keywords`, nearby lines merged.
 * Line-scoped rules run on these slices only: node-re2's cost per exec call grows with the
 * length of the text it is given, so many matches in a long text would otherwise cost
 * O(matches x length).
 */
function keywordWindows(lower: string, keywords: readonly string[]): Array<[number, number]> {
  const lines = new Map<number, number>();
  for (const keyword of keywords) {
    for (let at = lower.indexOf(keyword); at >= 0; at = lower.indexOf(keyword, at + 1)) {
      let start = lower.lastIndexOf('\n', at) + 1;
      let end = lower.indexOf('\n', at);
      if (end < 0) end = lower.length;
      if (end - start > MAX_LINE_WINDOW) {
        start = Math.max(start, at - MAX_LINE_WINDOW / 4);
        end = Math.min(end, at + (3 * MAX_LINE_WINDOW) / 4);
      }
      if ((lines.get(start) ?? -1) < end) lines.set(start, end);
      at = Math.max(at, end - keyword.length);
    }
  }
  const windows: Array<[number, number]> = [];
  for (const [start, end] of [...lines.entries()].sort((a, b) => a[0] - b[0])) {
    const last = windows[windows.length - 1];
    if (last !== undefined && start <= last[1] + MERGE_GAP && end - last[0] <= MAX_MERGED_WINDOW) {
      last[1] = Math.max(last[1], end);
    } else if (last !== undefined && start < last[1]) {
      windows.push([last[1], Math.max(last[1], end)]);
    } else {
      windows.push([start, end]);
    }
  }
  return windows.filter(([start, end]) => end > start);
}

function scanView(view: TextView, catalog: SecretRuleCatalog, decoded: boolean): MappedCandidate[] {
  const out: MappedCandidate[] = [];
  const text = decoded ? view.text : withoutAnsi(view.text);
  const lower = asciiLower(text);
  for (const rule of catalog.candidates(lower, decoded)) {
    const regex = decoded ? rule.decodedRegex : rule.regex;
    if (regex === null) continue;
    const found: SecretCandidate[] = [];
    if (rule.lineScoped) {
      for (const [from, end] of keywordWindows(lower, rule.lowerKeywords)) {
        for (const c of matchRule(rule, regex, text.slice(from, end), false)) {
          found.push({ ...c, start: c.start + from, end: c.end + from });
        }
      }
      if (!decoded) found.splice(0, found.length, ...found.filter((c) => !embeddedInBlob(text, c.start, c.end)));
    } else {
      found.push(...matchRule(rule, regex, text, !decoded));
    }
    for (const c of found) out.push({ rule, span: view.toOriginal(c.start, c.end), confidence: c.confidence });
  }
  return out;
}

function overlaps(a: TextSpan, b: TextSpan): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Within one cluster of overlapping candidates: earliest catalogue rule first, then confidence. */
function resolveCluster(cluster: MappedCandidate[], kept: MappedCandidate[]): void {
  if (cluster.length === 1) {
    kept.push(cluster[0] as MappedCandidate);
    return;
  }
  const chosen: MappedCandidate[] = [];
  cluster.sort((a, b) => a.rule.priority - b.rule.priority || b.confidence - a.confidence || a.span.start - b.span.start);
  for (const c of cluster) {
    if (!chosen.some((k) => overlaps(k.span, c.span))) chosen.push(c);
  }
  kept.push(...chosen);
}

/**
 * Keeps one candidate per region. Candidates are swept by start into clusters of
 * transitively overlapping spans, so the cost is O(n log n) plus the (small) clusters,
 * not O(n²) over a text full of secrets.
 */
function resolveOverlaps(candidates: MappedCandidate[]): MappedCandidate[] {
  const byStart = [...candidates].sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  const kept: MappedCandidate[] = [];
  let cluster: MappedCandidate[] = [];
  let clusterEnd = -1;
  for (const c of byStart) {
    if (cluster.length > 0 && c.span.start >= clusterEnd) {
      resolveCluster(cluster, kept);
      cluster = [];
    }
    cluster.push(c);
    clusterEnd = Math.max(clusterEnd, c.span.end);
  }
  if (cluster.length > 0) resolveCluster(cluster, kept);
  return kept.sort((a, b) => a.span.start - b.span.start);
}

function toFinding(c: MappedCandidate): Finding {
  return {
    type: 'SECRET',
    severity: c.rule.severity,
    confidence: c.confidence,
    detector: SECRET_DETECTOR_ID,
    ruleId: c.rule.id,
    spans: [c.span],
    entityType: c.rule.entityType,
    owaspId: SECRET_OWASP_ID,
    atlasTechnique: SECRET_ATLAS_TECHNIQUE,
    description: c.rule.description,
  };
}

/** Finds secrets in analysed text with the given catalogue. Pure; exported for tests and evaluation. */
export function detectSecrets(catalog: SecretRuleCatalog, text: AnalyzedText): Finding[] {
  const candidates: MappedCandidate[] = [];
  for (const view of text.views) {
    if (view.kind === 'original') candidates.push(...scanView(view, catalog, false));
    else if (view.kind === 'decoded') {
      // A raw decoded payload keeps case, so every rule applies as on the original text.
      if (view.rawText !== undefined) candidates.push(...scanView({ ...view, text: view.rawText }, catalog, false));
      else candidates.push(...scanView(view, catalog, true));
    }
  }
  return resolveOverlaps(candidates).map(toFinding);
}

/** Builds the secret detector, or null when the policy switches secrets off. */
export const createSecretDetector: DetectorFactory = (policy): Detector | null => {
  if (!policy.detectors.secrets.enabled) return null;
  const catalog = loadSecretRuleCatalog();
  return {
    id: SECRET_DETECTOR_ID,
    produces: ['SECRET'],
    detect: (input) => detectSecrets(catalog, input.text),
  };
};
