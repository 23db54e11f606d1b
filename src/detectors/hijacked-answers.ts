/**
 * Hijacked answers (OUTPUT side of prompt injection, OWASP LLM01, MITRE ATLAS AML.T0051).
 *
 * 1. Compliance: the scan's context carries the replies an injected input of the same request
 *    demanded (`demandedReplies`, extracted at input time by the sidecar), or the input itself
 *    (`inputContent`: demands are extracted here, and count only when the injection rules
 *    judge that input an injection). An answer that gives the demanded reply is a
 *    PROMPT_INJECTION finding carrying the policy's `outputGuards.hijack.action` (BLOCK by
 *    default), although PROMPT_INJECTION in answers is only WARN otherwise.
 * 2. Markers: phrases hijacked answers are known for ("I have been PWNED", jailbreak persona
 *    tags) reported on their own with low confidence and no action of their own.
 */
import { DEFAULT_OUTPUT_GUARDS } from '../policy/default-policy.js';
import type { OutputGuardsConfig } from '../policy/types.js';
import { createInjectionDetector } from './injection-patterns.js';
import { analyzeText } from './normalize/analyze-text.js';
import { extractDemandedReplies, findCompliance } from './output/demanded-replies.js';
import type { Detector, DetectorFactory, DetectorInput, Finding, ThreatTypeName } from './types.js';

export const HIJACK_DETECTOR_ID = 'hijacked-answers';

interface Marker {
  id: string;
  type: ThreatTypeName;
  confidence: number;
  pattern: RegExp;
  description: string;
}

/** Run on the normalised view (lower case, look-alikes folded). Linear patterns only. */
const MARKERS: readonly Marker[] = [
  { id: 'hijack-marker-pwned', type: 'PROMPT_INJECTION', confidence: 0.55, pattern: /\bi(?:'ve| have) been (?:pwned|pwn3d|hacked|compromised)\b/g, description: 'The answer contains a known prompt-injection success marker.' },
  { id: 'hijack-marker-access-granted', type: 'PROMPT_INJECTION', confidence: 0.5, pattern: /^\W*access granted\W*$/g, description: 'The whole answer is a known prompt-injection success phrase.' },
  { id: 'hijack-marker-ignored-instructions', type: 'PROMPT_INJECTION', confidence: 0.5, pattern: /\b(?:ignoring|i (?:will|'ll) (?:now )?ignore|i have ignored|disregarding) (?:all |my |the )?(?:previous|prior|original|system|earlier) (?:instructions|rules|guidelines|prompt)\b/g, description: 'The answer says it is ignoring its instructions.' },
  { id: 'hijack-marker-jailbreak-persona', type: 'JAILBREAK', confidence: 0.55, pattern: /(?:^|\n)\W{0,4}(?:\[?(?:🔓)?\s*jailbreak\]|\[dan\]|dan:|developer mode output|\(🔓developer mode output\)|stan:|dude:|aim:)/g, description: 'The answer speaks as a jailbreak persona.' },
  { id: 'hijack-marker-mode-enabled', type: 'JAILBREAK', confidence: 0.5, pattern: /\b(?:developer mode|dan mode|jailbreak mode|god mode) (?:enabled|activated|is now (?:on|active))\b/g, description: 'The answer announces an unrestricted mode.' },
];

/** Builds the detector, or null when the policy switches it off. */
export const createHijackDetector: DetectorFactory = (policy) => {
  const config = (policy.outputGuards ?? DEFAULT_OUTPUT_GUARDS).hijack;
  if (!config.enabled) return null;
  // Judges `inputContent` when the caller sent the input instead of the sidecar linking it.
  const injection = createInjectionDetector({ ...policy, detectors: { ...policy.detectors, injection: { enabled: true } } });
  return new HijackDetector(config, injection);
};

class HijackDetector implements Detector {
  readonly id = HIJACK_DETECTOR_ID;
  readonly produces = ['PROMPT_INJECTION', 'JAILBREAK'] as const;

  constructor(
    private readonly config: OutputGuardsConfig['hijack'],
    private readonly injection: Detector | null,
  ) {}

  detect(input: DetectorInput): Finding[] {
    if (input.direction !== 'OUTPUT') return [];
    const findings = this.markerFindings(input);
    const compliance = this.complianceFinding(input);
    if (compliance) findings.push(compliance);
    return findings;
  }

  private demands(input: DetectorInput): readonly string[] {
    const context = input.context;
    if (context?.demandedReplies && context.demandedReplies.length > 0) return context.demandedReplies;
    if (!context?.inputContent || this.injection === null) return [];
    const demands = extractDemandedReplies(context.inputContent);
    if (demands.length === 0) return [];
    const judged = this.injection.detect({ text: analyzeText(context.inputContent), direction: 'INPUT' });
    return judged.some((f) => f.confidence >= 0.5) ? demands : [];
  }

  private complianceFinding(input: DetectorInput): Finding | null {
    const demands = this.demands(input);
    const compliance = findCompliance(input.text.original, demands);
    if (!compliance) return null;
    return {
      type: 'PROMPT_INJECTION',
      severity: 'HIGH',
      confidence: compliance.confidence,
      detector: this.id,
      ruleId: 'hijack-compliance',
      spans: [compliance.span],
      owaspId: 'LLM01',
      atlasTechnique: 'AML.T0051',
      description: compliance.whole
        ? 'The answer is exactly the reply an injected instruction demanded.'
        : 'The answer contains the reply an injected instruction demanded.',
      action: this.config.action,
    };
  }

  private markerFindings(input: DetectorInput): Finding[] {
    const view = input.text.views.find((v) => v.kind === 'normalized') ?? input.text.views[0];
    if (!view) return [];
    const out: Finding[] = [];
    for (const marker of MARKERS) {
      marker.pattern.lastIndex = 0;
      const m = marker.pattern.exec(view.text);
      if (!m) continue;
      out.push({
        type: marker.type,
        severity: 'MEDIUM',
        confidence: marker.confidence,
        detector: this.id,
        ruleId: marker.id,
        spans: [view.toOriginal(m.index, m.index + m[0].length)],
        owaspId: 'LLM01',
        atlasTechnique: marker.type === 'JAILBREAK' ? 'AML.T0054' : 'AML.T0051',
        description: marker.description,
      });
    }
    return out;
  }
}
