/**
 * Bulk disclosure: an answer holding more personal data or credentials than any answer
 * should (a dump of a customer table, every key in a config file). Counts come from the PII
 * and secret detectors' findings; thresholds from the policy's `outputGuards.bulkDisclosure`.
 *
 * Three rules:
 *  - bulk-pii          more than maxEntities[type] (or DEFAULT) entities of one PII type;
 *  - bulk-credentials  more than maxSecrets credential-shaped values;
 *  - bulk-records      more than maxRecordRows lines that are records of personal data: a
 *                      line with two or more PII entities, or a table/CSV row with one.
 */
import type { OutputGuardsConfig } from '../../policy/types.js';
import type { Finding, TextSpan } from '../types.js';

/** Spans kept per finding: enough to redact or show where, bounded for huge dumps. */
const MAX_SPANS = 64;

export type BulkConfig = OutputGuardsConfig['bulkDisclosure'];

/** The smallest threshold of the config: fewer candidate entities than this cannot be bulk. */
export function smallestBulkThreshold(config: BulkConfig): number {
  return Math.min(...Object.values(config.maxEntities), config.maxRecordRows) + 1;
}

/**
 * An upper-bound-ish estimate of PII entities in `text` from cheap signals ('@' and long digit
 * runs), so the PII recognisers run only when a dump is possible at all.
 */
export function possibleEntities(text: string): number {
  let n = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) n++;
  const digitRuns = text.match(/\d[\d ().-]{5,}\d/g);
  return n + (digitRuns?.length ?? 0);
}

function template(ruleId: string, spans: TextSpan[], description: string, entityType?: string): Finding {
  const finding: Finding = {
    type: 'DATA_EXFILTRATION',
    severity: 'HIGH',
    confidence: 0.9,
    detector: 'data-exfiltration',
    ruleId,
    spans: spans.slice(0, MAX_SPANS),
    owaspId: 'LLM02',
    // AML.T0057 LLM Data Leakage.
    atlasTechnique: 'AML.T0057',
    description,
  };
  if (entityType !== undefined) finding.entityType = entityType;
  return finding;
}

/** Bulk-disclosure findings over the PII and secret findings of one text. */
export function bulkDisclosureFindings(text: string, pii: readonly Finding[], secrets: readonly Finding[], config: BulkConfig): Finding[] {
  const out: Finding[] = [];
  const byType = new Map<string, TextSpan[]>();
  for (const f of pii) {
    const type = f.entityType ?? 'PII';
    const spans = byType.get(type) ?? [];
    spans.push(...f.spans);
    byType.set(type, spans);
  }
  for (const [type, spans] of byType) {
    const max = config.maxEntities[type] ?? config.maxEntities.DEFAULT ?? Number.POSITIVE_INFINITY;
    if (spans.length > max) {
      out.push(template('bulk-pii', spans, `The content discloses ${spans.length} ${type} values (the policy allows ${max}).`));
    }
  }
  if (secrets.length > config.maxSecrets) {
    const spans = secrets.flatMap((f) => f.spans);
    out.push(template('bulk-credentials', spans, `The content discloses ${secrets.length} credentials (the policy allows ${config.maxSecrets}).`));
  }
  const rows = recordRows(text, pii);
  if (rows.length > config.maxRecordRows) {
    out.push(template('bulk-records', rows, `The content lists ${rows.length} records of personal data (the policy allows ${config.maxRecordRows}).`));
  }
  return out;
}

/** Lines that are records of personal data, as spans. */
function recordRows(text: string, pii: readonly Finding[]): TextSpan[] {
  if (pii.length === 0) return [];
  const starts = pii.flatMap((f) => f.spans.map((s) => s.start)).sort((a, b) => a - b);
  const rows: TextSpan[] = [];
  let i = 0;
  let lineStart = 0;
  while (lineStart <= text.length && i < starts.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let entities = 0;
    while (i < starts.length && (starts[i] as number) < lineEnd) {
      if ((starts[i] as number) >= lineStart) entities++;
      i++;
    }
    if (entities >= 2 || (entities === 1 && isTableRow(text.slice(lineStart, lineEnd)))) rows.push({ start: lineStart, end: lineEnd });
    lineStart = lineEnd + 1;
  }
  return rows;
}

function isTableRow(line: string): boolean {
  const t = line.trim();
  if (t.startsWith('|') && t.endsWith('|')) return true;
  let separators = 0;
  for (const ch of t) if (ch === ',' || ch === '\t' || ch === ';') separators++;
  return separators >= 2;
}
