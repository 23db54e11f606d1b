import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../src/detectors/normalize/analyze-text.js';
import { createToxicityClassifierDetector } from '../../../src/detectors/toxicity-classifier-detector.js';
import { defaultPolicy, REPO_ROOT } from './ml-test-helpers.js';

const hasModel = existsSync(resolve(REPO_ROOT, 'models/toxicity-classifier/model.onnx'));

describe.skipIf(!hasModel)('toxicity classifier detector', () => {
  const detector = createToxicityClassifierDetector(defaultPolicy())!;
  const scan = (text: string) => detector.detect({ text: analyzeText(text), direction: 'OUTPUT' });

  it('is off when the policy disables toxicity detection', () => {
    const policy = defaultPolicy();
    expect(createToxicityClassifierDetector({ ...policy, detectors: { ...policy.detectors, toxicity: { enabled: false } } })).toBeNull();
  });

  it('flags abusive language with the finding contract filled in', () => {
    const findings = scan('You are a stupid worthless idiot and everyone hates you, shut the fuck up');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ type: 'TOXICITY', detector: 'toxicity-classifier' });
    expect(findings[0]!.ruleId).toMatch(/^bulwark-toxicity-linear@/);
    expect(findings[0]!.description).not.toContain('idiot');
  });

  it('lets ordinary text pass', () => {
    for (const text of [
      'Thanks for the quick reply, the meeting is moved to Thursday at 10.',
      'How can I kill a Python process that hangs?',
      'The recipe needs two cups of flour and a pinch of salt.',
    ]) {
      expect(scan(text), text).toEqual([]);
    }
  });
});
