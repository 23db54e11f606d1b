import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import { loadRuleCatalog } from '../../src/detectors/rules/rule-catalog.js';
import { createToxicityDetector } from '../../src/detectors/toxicity-lexicon.js';
import type { Detector, Finding } from '../../src/detectors/types.js';
import type { CompiledPolicy, ThreatRule } from '../../src/policy/types.js';
import { compiledPolicy } from './compiled-policy-fixture.js';

/** A minimal compiled policy, built here so these tests do not depend on the policy loader. */
function policy(toxicityEnabled = true): CompiledPolicy {
  const rule: ThreatRule = { minConfidence: 0.5, action: { INPUT: 'WARN', OUTPUT: 'BLOCK' } };
  const base = compiledPolicy({ tenant: 'test', operators: { DEFAULT: { type: 'redact' } } });
  const threats = Object.fromEntries(Object.keys(base.threats).map((type) => [type, rule])) as CompiledPolicy['threats'];
  return {
    ...base,
    threats,
    detectors: {
      toxicity: { enabled: toxicityEnabled },
      injection: { enabled: false },
      pii: { enabled: false, entities: [], phoneRegions: [] },
      secrets: { enabled: false },
    },
  };
}

const detector = createToxicityDetector(policy()) as Detector;

function scan(text: string, direction: 'INPUT' | 'OUTPUT' = 'OUTPUT'): Finding[] {
  return detector.detect({ text: analyzeText(text), direction });
}

describe('createToxicityDetector', () => {
  it('returns null when the policy switches toxicity detection off', () => {
    expect(createToxicityDetector(policy(false))).toBeNull();
  });

  it('declares TOXICITY and every lexicon entry has a known category', () => {
    expect(detector.produces).toEqual(['TOXICITY']);
    const categories = new Set(loadRuleCatalog('toxicity-lexicon.yaml').rules.map((r) => r['category']));
    expect([...categories].sort()).toEqual(['harassment', 'identity-hate', 'profanity', 'slur-mild', 'threat']);
  });
});

describe('toxic text is found, with severity by category', () => {
  const cases: Array<[text: string, ruleId: string, severity: Finding['severity']]> = [
    ["I'm going to kill you.", 'tox-threat-violence', 'HIGH'],
    ['I will find you and I will hurt you', 'tox-threat-violence', 'HIGH'],
    ['Just go kill yourself', 'tox-threat-violence', 'HIGH'],
    ['kys loser', 'tox-threat-violence', 'HIGH'],
    ['I hope you die in a fire', 'tox-threat-violence', 'HIGH'],
    ['People like that should be shot.', 'tox-threat-violence', 'HIGH'],
    ['I know where you live.', 'tox-threat-violence', 'HIGH'],
    ['Go back home, you filthy wetback', 'tox-slur-race-ethnicity', 'HIGH'],
    ['no kikes allowed', 'tox-slur-race-ethnicity', 'HIGH'],
    ['what a faggot', 'tox-slur-sexuality-gender', 'HIGH'],
    ['stop acting like a retard', 'tox-slur-mild', 'MEDIUM'],
    ['Fuck you and your stupid app', 'tox-harassment', 'MEDIUM'],
    ['You are a worthless piece of shit', 'tox-harassment', 'MEDIUM'],
    ['shut the fuck up', 'tox-harassment', 'MEDIUM'],
    ["you're such a pathetic loser", 'tox-harassment', 'MEDIUM'],
    ['This is fucking broken again', 'tox-profanity', 'LOW'],
    ['what a load of bullshit', 'tox-profanity', 'LOW'],
  ];

  it.each(cases)('%s', (text, ruleId, severity) => {
    const finding = scan(text).find((f) => f.ruleId === ruleId);
    expect(finding).toBeDefined();
    expect(finding?.type).toBe('TOXICITY');
    expect(finding?.severity).toBe(severity);
    expect(finding?.detector).toBe('toxicity-lexicon');
  });

  it('ranks confidence by category: threats and slurs above profanity', () => {
    const threat = scan("I'm going to kill you")[0];
    const profanity = scan('this is shit')[0];
    expect(threat?.confidence).toBeGreaterThan(profanity?.confidence ?? 1);
    expect(profanity?.confidence).toBeLessThan(0.5);
  });

  it('carries OWASP and ATLAS mappings', () => {
    const [finding] = scan('Go back home, you filthy wetback');
    expect(finding?.owaspId).toBe('LLM05');
    expect(finding?.atlasTechnique).toBe('AML.T0048.002');
    expect(scan('I will kill you')[0]?.atlasTechnique).toBe('AML.T0048.003');
  });
});

describe('obfuscated abuse is found through normalisation', () => {
  it.each([
    ['leetspeak', 'f*ck y0u', 'tox-harassment'],
    ['spaced letters', 'f u c k  y o u', 'tox-harassment'],
    ['fullwidth', 'ｆｕｃｋ ｙｏｕ', 'tox-harassment'],
    ['zero-width', 'fu\u200bck you', 'tox-harassment'],
    ['masked', 'you stupid b*tch', 'tox-harassment'],
    ['small capitals', 'ᴋɪʟʟ ʏᴏᴜʀsᴇʟꜰ', 'tox-threat-violence'],
  ])('%s', (_name, text, ruleId) => {
    expect(scan(text).map((f) => f.ruleId)).toContain(ruleId);
  });

  it('maps spans back to the original text', () => {
    const text = 'Well... ｆｕ\u200bｃｋ ｙｏｕ, buddy';
    const finding = scan(text).find((f) => f.ruleId === 'tox-harassment');
    const span = finding?.spans[0];
    expect(span && text.slice(span.start, span.end)).toBe('ｆｕ\u200bｃｋ ｙｏｕ');
  });
});

describe('benign text passes', () => {
  it.each([
    'How can I kill a Python process that hangs?',
    'How do I kill all the weeds in my garden?',
    'The hero had to kill the dragon to save the village.',
    'What is the best way to shoot a photo at night?',
    'My script keeps dying with a segfault.',
    'The assassin in the novel is never caught.',
    'Scunthorpe United won the match.',
    'A cocktail recipe with shiitake mushrooms.',
    'Dick Grayson is the first Robin.',
    'Which hoe is best for a vegetable garden?',
    'I bought a pack of cigarettes yesterday.',
    'Can you analyse this essay about hate speech laws?',
    'The dog had six puppies.',
    'You are a wonderful person and a great friend.',
    'Gobbledygook is a funny word.',
    'The redneck jokes in that show are old.',
    'My transmission is making a noise.',
    'Please classify the tone of this review.',
  ])('%s', (text) => {
    expect(scan(text)).toEqual([]);
  });
});
