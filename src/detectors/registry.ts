/**
 * Every detector, by name. Adding a detector = one file + one line here.
 * The engine builds the enabled ones once per compiled policy.
 */
import type { DetectorFactory } from './types.js';
import { createInjectionDetector } from './injection-patterns.js';
import { createPiiDetector } from './pii-recognizers.js';
import { createSecretDetector } from './secret-patterns.js';
import { createCustomRuleDetector } from './custom-rules.js';
import { createToxicityDetector } from './toxicity-lexicon.js';
import { createSystemPromptLeakDetector } from './system-prompt-leak.js';
import { createDataExfiltrationDetector } from './data-exfiltration.js';
import { createHijackDetector } from './hijacked-answers.js';
import { createUnsafeCodeDetector } from './unsafe-code.js';
import { createMaliciousUrlDetector } from './malicious-urls.js';

/** Ordered: cheap, high-severity detectors first so a CRITICAL finding can short-circuit the rest. */
export const detectorFactories: ReadonlyArray<readonly [name: string, factory: DetectorFactory]> = [
  ['custom-rules', createCustomRuleDetector],
  ['secrets', createSecretDetector],
  ['system-prompt-leak', createSystemPromptLeakDetector],
  ['data-exfiltration', createDataExfiltrationDetector],
  ['hijacked-answers', createHijackDetector],
  ['unsafe-code', createUnsafeCodeDetector],
  ['malicious-urls', createMaliciousUrlDetector],
  ['injection-patterns', createInjectionDetector],
  ['pii', createPiiDetector],
  ['toxicity', createToxicityDetector],
];
