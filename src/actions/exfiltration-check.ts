/**
 * Personal data and secrets in an action's parameters, for actions bound for an external
 * destination. Reuses the scan detectors' pure functions (PII recognisers, secret rules) on
 * each string parameter, written as "key: value" so that a parameter name is the context word
 * a recogniser looks for ("password: hunter2"), plus a check on the parameter NAMES themselves:
 * a value under "password" or "card_number" is sensitive whatever it looks like.
 *
 * Findings carry entity kinds and parameter paths, never values.
 */
import { analyzeText } from '../detectors/normalize/analyze-text.js';
import { createPiiDetector } from '../detectors/pii-recognizers.js';
import { createSecretDetector } from '../detectors/secret-patterns.js';
import type { Detector, Finding } from '../detectors/types.js';
import type { ThreatResult } from '../engine/types.js';
import { detectorConfigKey } from '../policy/detector-config-key.js';
import type { CompiledPolicy } from '../policy/types.js';
import type { ParameterLeaf } from './parameter-values.js';

/** MITRE ATLAS: Exfiltration via Cyber Means; OWASP LLM02 Sensitive Information Disclosure. */
const ATLAS_EXFILTRATION = 'AML.T0025';
const OWASP_DISCLOSURE = 'LLM02';

/** Parameter names whose value is a secret or a card/identity number by definition. */
const SECRET_NAME = /^(?:.*[_-])?(?:password|passwd|pwd|passphrase|secret|client_secret|api_?key|apikey|access_?token|auth_?token|refresh_?token|token|private_?key|credentials?|session_?cookie)$/i;
const PII_NAME = /^(?:.*[_-])?(?:ssn|social_?security(?:_?number)?|credit_?card(?:_?number)?|card_?number|cc_?number|cvv|cvc|iban|account_?number|passport(?:_?number)?)$/i;
/** Values that say "nothing here": masks and placeholders. */
const PLACEHOLDER = /^(?:\*+|x+|•+|-+|<[^>]*>|\[redacted\]|redacted|null|none|n\/a|)$/i;

/** PII and secret detectors built once per detector configuration (building takes ~0.3 s). */
const detectorCache = new Map<string, Detector | null>();

function cachedDetector(name: 'pii' | 'secrets', policy: CompiledPolicy): Detector | null {
  const key = detectorConfigKey(name, policy);
  let d = detectorCache.get(key);
  if (d === undefined) {
    d = name === 'pii' ? createPiiDetector(policy) : createSecretDetector(policy);
    if (detectorCache.size > 64) detectorCache.clear();
    detectorCache.set(key, d);
  }
  return d;
}

/** Builds the detectors now (sidecar start), so the first exfiltration check does not pay for it. */
export function warmExfiltrationDetectors(policy: CompiledPolicy): void {
  cachedDetector('pii', policy);
  cachedDetector('secrets', policy);
}

function threat(leaf: ParameterLeaf, type: 'PII' | 'SECRET', entityType: string, confidence: number, detector: string, ruleId: string): ThreatResult {
  return {
    type,
    severity: 'HIGH',
    confidence,
    detector,
    ruleId,
    spans: [],
    entityType,
    owaspId: OWASP_DISCLOSURE,
    atlasTechnique: ATLAS_EXFILTRATION,
    description: `${type === 'PII' ? 'Personal data' : 'A secret'} (${entityType}) in parameter "${leaf.path}" sent to an external destination`,
    action: 'BLOCK',
  };
}

/** Sensitive values among `leaves`: one threat per (parameter, kind). */
export function findSensitiveParameters(policy: CompiledPolicy, leaves: readonly ParameterLeaf[]): ThreatResult[] {
  const pii = cachedDetector('pii', policy);
  const secrets = cachedDetector('secrets', policy);
  const out: ThreatResult[] = [];
  const seen = new Set<string>();
  const add = (t: ThreatResult, leaf: ParameterLeaf): void => {
    const key = `${leaf.path}\u0000${t.type}\u0000${t.entityType}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(t);
  };
  for (const leaf of leaves) {
    const value = String(leaf.value).trim();
    if (PLACEHOLDER.test(value) || typeof leaf.value === 'boolean') continue;
    if (SECRET_NAME.test(leaf.key) && value.length >= 4) add(threat(leaf, 'SECRET', leaf.key.toUpperCase(), 0.9, 'action-parameters', 'sensitive-parameter-name'), leaf);
    if (PII_NAME.test(leaf.key) && /\d{4}/.test(value)) add(threat(leaf, 'PII', leaf.key.toUpperCase(), 0.9, 'action-parameters', 'sensitive-parameter-name'), leaf);
    if (typeof leaf.value !== 'string' || value.length < 4) continue;
    const text = analyzeText(`${leaf.key}: ${leaf.value}`);
    const findings: Finding[] = [];
    if (pii) for (const f of pii.detect({ text, direction: 'OUTPUT' })) if (f.confidence >= policy.threats.PII.minConfidence) findings.push(f);
    if (secrets) for (const f of secrets.detect({ text, direction: 'OUTPUT' })) if (f.confidence >= policy.threats.SECRET.minConfidence) findings.push(f);
    for (const f of findings) {
      add(threat(leaf, f.type === 'SECRET' ? 'SECRET' : 'PII', f.entityType ?? f.ruleId, f.confidence, f.detector, f.ruleId), leaf);
    }
  }
  return out;
}
