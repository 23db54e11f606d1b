/**
 * Regression guard on the labelled public data (never committed; read from ../shared/data).
 * Skips when the file is absent. The bar is the project target (F1 >= 0.95) for the six
 * core entities at the shipped PII threshold, not the current numbers, so ordinary
 * recognizer changes do not need test edits.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countSpans, loadRows, scores } from '../../bench/pii-span-metrics.js';
import { detector, THRESHOLD } from './pii-test-support.js';

const DATA = resolve(process.env.BULWARK_PII_DATA ?? resolve(import.meta.dirname, '../../../shared/data/pii.jsonl'));
const CORE = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'US_SSN', 'IBAN_CODE', 'IP_ADDRESS'];

describe.skipIf(!existsSync(DATA))(`PII spans on ${DATA} (skipped when the data file is absent)`, () => {
  it('core entities reach F1 >= 0.95 (exact spans) at the shipped threshold', () => {
    const counts = countSpans(loadRows(DATA), detector(), THRESHOLD);
    for (const entity of CORE) {
      const c = counts.get(entity);
      expect(c, entity).toBeDefined();
      expect(scores(c!).exact.f1, entity).toBeGreaterThanOrEqual(0.95);
    }
  });
});
