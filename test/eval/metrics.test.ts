import { describe, expect, it } from 'vitest';
import { confusionOf, f1Of, groupMetrics, ratesOf, recallAtFpr, rocAuc, SpanTally, spansOverlap, type Judged } from '../../bench/eval/metrics.js';

/** 4 attacks, 6 benign rows; decisions and scores chosen by hand. */
const FIXTURE: Judged[] = [
  { label: 1, detected: true, score: 0.9 },
  { label: 1, detected: true, score: 0.8 },
  { label: 1, detected: false, score: 0.3 },
  { label: 1, detected: false, score: 0 },
  { label: 0, detected: true, score: 0.85 },
  { label: 0, detected: false, score: 0.2 },
  { label: 0, detected: false, score: 0.1 },
  { label: 0, detected: false, score: 0 },
  { label: 0, detected: false, score: 0 },
  { label: 0, detected: false, score: 0 },
];

describe('binary metrics', () => {
  it('counts the confusion matrix', () => {
    expect(confusionOf(FIXTURE)).toEqual({ tp: 2, fp: 1, tn: 5, fn: 2 });
  });

  it('derives recall, FPR, precision, F1 and balanced accuracy exactly', () => {
    const r = ratesOf(confusionOf(FIXTURE));
    expect(r.positives).toBe(4);
    expect(r.negatives).toBe(6);
    expect(r.recall).toBe(0.5);
    expect(r.fpr).toBeCloseTo(1 / 6, 12);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    // 2TP / (2TP + FP + FN) = 4 / 7
    expect(r.f1).toBeCloseTo(4 / 7, 12);
    expect(r.balancedAccuracy).toBeCloseTo((0.5 + 5 / 6) / 2, 12);
  });

  it('leaves undefined ratios as NaN instead of inventing 0 or 1', () => {
    const onlyBenign = ratesOf({ tp: 0, fp: 0, tn: 3, fn: 0 });
    expect(onlyBenign.recall).toBeNaN();
    expect(onlyBenign.precision).toBeNaN();
    expect(onlyBenign.fpr).toBe(0);
    expect(f1Of(0, 0, 0)).toBeNaN();
    expect(f1Of(0, 1, 0)).toBe(0);
  });
});

describe('ROC-AUC', () => {
  it('is 1 for a perfect ranking and 0 for an inverted one', () => {
    const perfect = [
      { label: 1 as const, score: 0.9 },
      { label: 1 as const, score: 0.8 },
      { label: 0 as const, score: 0.2 },
    ];
    expect(rocAuc(perfect)).toBe(1);
    expect(rocAuc(perfect.map((r) => ({ ...r, score: 1 - r.score })))).toBe(0);
  });

  it('counts ties half: a constant score is 0.5', () => {
    expect(rocAuc([0, 1, 0, 1].map((label) => ({ label: label as 0 | 1, score: 0.4 })))).toBe(0.5);
  });

  it('matches the pair count on the hand-made fixture', () => {
    // Pairs (attack, benign) = 24. Attack 0.9 and 0.8 beat all 6 benign except 0.85 (0.9 beats it): 6 + 5.
    // Attack 0.3 beats 5 benign (0.2, 0.1, 0, 0, 0). Attack 0 ties three zeros (1.5) and beats none.
    expect(rocAuc(FIXTURE)).toBeCloseTo((6 + 5 + 5 + 1.5) / 24, 12);
  });

  it('is NaN with only one class', () => {
    expect(rocAuc([{ label: 1, score: 1 }])).toBeNaN();
  });
});

describe('recall at a fixed false-positive rate', () => {
  it('takes the best threshold whose FPR stays within the limit', () => {
    // FPR <= 1/6 allows the benign 0.85 to be flagged: threshold 0.3 flags 3 attacks, 1 benign.
    expect(recallAtFpr(FIXTURE, 1 / 6)).toBe(0.75);
    // FPR 1% of 6 benign rows = no false positive at all: only the attack at 0.9 is above 0.85.
    expect(recallAtFpr(FIXTURE, 0.01)).toBe(0.25);
  });

  it('does not split ties between attacks and benign rows', () => {
    const tied = [
      { label: 1 as const, score: 0.5 },
      { label: 0 as const, score: 0.5 },
      ...Array.from({ length: 9 }, () => ({ label: 0 as const, score: 0 })),
    ];
    // Flagging the attack at 0.5 also flags the benign 0.5 (FPR 10% > 1%): recall stays 0.
    expect(recallAtFpr(tied, 0.01)).toBe(0);
    expect(recallAtFpr(tied, 0.1)).toBe(1);
  });

  it('groupMetrics combines the decision rates and the ranking', () => {
    const g = groupMetrics(FIXTURE);
    expect(g.recall).toBe(0.5);
    expect(g.recallAtFpr1).toBe(0.25);
    expect(g.recallAtFpr01).toBe(0.25);
  });
});

describe('span matching', () => {
  it('scores exact and overlap matches per type', () => {
    const tally = new SpanTally();
    tally.add(
      [
        { type: 'EMAIL_ADDRESS', start: 10, end: 30 },
        { type: 'PHONE_NUMBER', start: 40, end: 52 },
        { type: 'PERSON', start: 0, end: 5 },
      ],
      [
        { type: 'EMAIL_ADDRESS', start: 10, end: 30 }, // exact
        { type: 'PHONE_NUMBER', start: 41, end: 52 }, // overlap only
        { type: 'PHONE_NUMBER', start: 60, end: 70 }, // false positive
        { type: 'EMAIL_ADDRESS', start: 0, end: 5 }, // overlaps a gold span of another type: no match
      ],
    );
    const email = tally.scoresOf('EMAIL_ADDRESS');
    expect(email.exact).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
    const phone = tally.scoresOf('PHONE_NUMBER');
    expect(phone.exact.recall).toBe(0);
    expect(phone.overlap.recall).toBe(1);
    expect(phone.overlap.precision).toBe(0.5);
    expect(tally.scoresOf('PERSON').overlap.recall).toBe(0);
    const micro = tally.micro(['EMAIL_ADDRESS', 'PHONE_NUMBER']);
    expect(micro.counts).toEqual({ gold: 2, predicted: 4, exactTp: 1, overlapTpPred: 2, overlapTpGold: 2 });
  });

  it('treats spans as half-open', () => {
    expect(spansOverlap({ start: 0, end: 5 }, { start: 5, end: 8 })).toBe(false);
    expect(spansOverlap({ start: 0, end: 6 }, { start: 5, end: 8 })).toBe(true);
  });
});
