/**
 * The readable report: Markdown pipe tables (they read well in a terminal and paste straight
 * into docs/evaluation.md). Rates as percentages, undefined values as "n/a". Rows are named
 * by line number and length only.
 */
import type { GroupReport, WorstCases } from './binary-eval.js';
import type { InjectionScopeReport, PiiReport } from './bulwark-eval.js';
import type { BinaryTaskReport } from './binary-eval.js';
import type { GroupMetrics } from './metrics.js';
import type { ComparisonRow, PeerSummary } from './peer-comparison.js';
import type { EvalReport } from './report-json.js';

export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : 'n/a';
}

export function num(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** A Markdown table; `align` per column: 'l' or 'r'. */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align?: string): string {
  const a = align ?? 'l' + 'r'.repeat(headers.length - 1);
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => escape(r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (a[i] === 'r' ? escape(c).padStart(widths[i]!) : escape(c).padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (a[i] === 'r' ? '-'.repeat(w + 1) + ':' : ':' + '-'.repeat(w + 1))).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

const BINARY_HEADERS = ['group', 'rows', 'attacks', 'benign', 'recall', 'FPR', 'precision', 'F1', 'bal. acc.', 'ROC-AUC', 'recall@1%FPR', 'recall@0.1%FPR'];

function binaryCells(group: string, m: GroupMetrics): string[] {
  return [
    group,
    String(m.positives + m.negatives),
    String(m.positives),
    String(m.negatives),
    pct(m.recall),
    pct(m.fpr),
    pct(m.precision),
    num(m.f1),
    pct(m.balancedAccuracy),
    num(m.rocAuc),
    pct(m.recallAtFpr1),
    pct(m.recallAtFpr01),
  ];
}

function groupTable(overall: GroupMetrics, groups: readonly GroupReport[], overallName = 'overall'): string {
  return markdownTable(BINARY_HEADERS, [binaryCells(overallName, overall), ...groups.map((g) => binaryCells(g.group, g.metrics))]);
}

function worstList(worst: WorstCases): string {
  const item = (c: WorstCases['falseNegatives'][number]): string => `line ${c.line}${c.id ? ` (id ${c.id})` : ''}: ${c.length} chars, score ${num(c.score, 2)}`;
  return [
    `Worst false negatives (lowest score): ${worst.falseNegatives.length === 0 ? 'none' : ''}`,
    ...worst.falseNegatives.map((c) => `- ${item(c)} [${c.source}]`),
    `Worst false positives (highest score): ${worst.falsePositives.length === 0 ? 'none' : ''}`,
    ...worst.falsePositives.map((c) => `- ${item(c)} [${c.source}]`),
  ].join('\n');
}

function injectionSection(scopes: readonly InjectionScopeReport[]): string {
  const parts = ['## Prompt injection / jailbreak (injection.jsonl)', '', 'Detected = a PROMPT_INJECTION or JAILBREAK threat with action BLOCK or WARN under the policy. Score = highest confidence of those threats (0 when none).'];
  for (const s of scopes) {
    parts.push('', `### ${s.scope} (${s.rows} rows)`, '', 'By surface (direct prompt; indirect = document with an attack planted, BIPIA; system-prompt-relative = CyberSecEval, labelled against a system prompt the scan does not see):', '');
    parts.push(groupTable(s.overall, s.bySurface));
    parts.push('', 'By source:', '', groupTable(s.overall, s.bySource));
  }
  const all = scopes[0];
  if (all) parts.push('', `### Worst cases (${all.scope}; line numbers in injection.jsonl)`, '', worstList(all.worst));
  return parts.join('\n');
}

function piiSection(pii: PiiReport): string {
  const f = (x: number, predicted: number): string => (predicted === 0 ? 'n/a' : num(x));
  const rows = pii.types.map((t) => [
    t.type,
    t.status,
    String(t.counts.gold),
    String(t.counts.predicted),
    f(t.scores.exact.precision, t.counts.predicted),
    num(t.scores.exact.recall),
    num(t.scores.exact.f1),
    f(t.scores.overlap.precision, t.counts.predicted),
    num(t.scores.overlap.recall),
    num(t.scores.overlap.f1),
  ]);
  const micro = (name: string, m: PiiReport['allTypes']): string[] => [
    name,
    '',
    String(m.counts.gold),
    String(m.counts.predicted),
    f(m.scores.exact.precision, m.counts.predicted),
    num(m.scores.exact.recall),
    num(m.scores.exact.f1),
    f(m.scores.overlap.precision, m.counts.predicted),
    num(m.scores.overlap.recall),
    num(m.scores.overlap.f1),
  ];
  rows.push(micro(`micro: types detected by default (${pii.detectedTypes.types.length})`, pii.detectedTypes), micro('micro: every gold type', pii.allTypes));
  return [
    `## PII (pii.jsonl, ${pii.rows} rows): span-level, per entity type`,
    '',
    'Gold types mapped to one vocabulary (STREET_ADDRESS→ADDRESS, GPE→LOCATION, TITLE→PREFIX, DOMAIN_NAME→URL). "no recognizer" rows are gaps: Bulwark finds none of them (names, places, addresses and organisations need a language model, not patterns).',
    '',
    markdownTable(['entity', 'status', 'gold', 'predicted', 'exact P', 'exact R', 'exact F1', 'overlap P', 'overlap R', 'overlap F1'], rows, 'llrrrrrrrr'),
  ].join('\n');
}

function binarySection(title: string, note: string, reports: ReadonlyArray<BinaryTaskReport & { scope?: string }>): string {
  const parts = [title, '', note];
  for (const r of reports) {
    parts.push('', r.scope ? `### ${r.scope} (${r.rows} rows)` : '', '', groupTable(r.overall, r.bySource));
  }
  const first = reports[0];
  if (first) parts.push('', worstList(first.worst));
  return parts.join('\n');
}

function latencySection(report: EvalReport): string {
  const scan = Object.entries(report.bulwark.scanLatency).map(([name, s]) => [name, String(s.count), num(s.p50), num(s.p99), num(s.max)]);
  const det = report.detectorLatency.detectors.map((d) => [d.name, d.samples === null ? 'off in policy' : String(d.samples), num(d.p50, 4), num(d.p99, 4), num(d.mean, 4)]);
  return [
    '## Latency per item (ms)',
    '',
    'Full scan, time inside the engine (ScanResult.latencyMs), every detector of the policy:',
    '',
    markdownTable(['data file', 'scans', 'p50', 'p99', 'max'], scan),
    '',
    `Each detector alone on the same ${report.detectorLatency.samples} texts (an even sample of all files), one thread:`,
    '',
    markdownTable(['detector', 'samples', 'p50', 'p99', 'mean'], det),
  ].join('\n');
}

/** The side-by-side table: one block per task, Bulwark first. */
export function comparisonSection(rows: readonly ComparisonRow[], peers: readonly PeerSummary[]): string {
  const order = ['injection', 'injection (test split)', 'pii', 'secrets', 'toxicity', 'toxicity (test split)'];
  const cells = (r: ComparisonRow): string[] => [
    r.task,
    r.guard === 'bulwark' ? '**bulwark**' : r.guard,
    r.version,
    r.answered === r.rows ? String(r.rows) : `${r.answered}/${r.rows}`,
    pct(r.metrics.recall),
    pct(r.metrics.fpr),
    pct(r.metrics.precision),
    num(r.metrics.f1),
    r.exactF1 !== undefined ? `exact F1 ${num(r.exactF1)}` : num(r.metrics.rocAuc),
    pct(r.metrics.recallAtFpr1),
    num(r.p50Ms, 3),
    num(r.p99Ms, 3),
  ];
  const sorted = [...rows].sort((a, b) => order.indexOf(a.task) - order.indexOf(b.task) || Number(b.guard === 'bulwark') - Number(a.guard === 'bulwark') || a.guard.localeCompare(b.guard));
  const notes = peers.flatMap((p) => [
    `- **${p.guard}** (${p.packageName} ${p.version}): ${p.notes.join('; ')}` +
      (p.networkAttempts > 0 ? `; ${p.networkAttempts} network attempts refused` : '') +
      (p.timeouts + p.errors > 0 ? `; ${p.timeouts} rows timed out, ${p.errors} rows failed` : '') +
      (p.fatal.length > 0 ? `; could not run: ${p.fatal.join('; ')}` : ''),
  ]);
  return [
    '## Side by side with other guards',
    '',
    'Same rows, same scoring code. Binary tasks: rates at each guard\'s own decision; ROC-AUC and recall@1%FPR from its score. PII: overlap-matched spans on the five types every guard claims (EMAIL_ADDRESS, PHONE_NUMBER, US_SSN, CREDIT_CARD, IP_ADDRESS), micro-averaged; the ROC column shows exact-match F1 instead. Latency: ms per item on one thread — Bulwark\'s full scan (all detectors), a peer\'s call for that task only.',
    '',
    markdownTable(['task', 'guard', 'version', 'rows', 'recall', 'FPR', 'precision', 'F1', 'ROC-AUC', 'recall@1%FPR', 'p50 ms', 'p99 ms'], sorted.map(cells), 'lllrrrrrrrrr'),
    '',
    'How each guard was mapped:',
    '',
    ...notes,
  ].join('\n');
}

export function reportTable(report: EvalReport): string {
  const m = report.machine;
  const b = report.bulwark;
  const sections = [
    '# Bulwark evaluation',
    '',
    `${m.date} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · ${m.os} · load average ${m.loadAverage1m} at start`,
    '',
    `Command: \`${m.command}\` · data: ${report.data.dir} (${Object.entries(report.data.rows).map(([k, v]) => `${k} ${v}`).join(', ')}) · policy: ${report.policy.source} (${report.policy.version}) · scanned by ${report.scanner.description}; detectors: ${report.scanner.detectors.join(', ')}${report.scanner.models.length > 0 ? ` (models ${report.scanner.models.join(', ')})` : ''} · ${report.wallSeconds.toFixed(0)} s`,
  ];
  const errors = Object.entries(b.scanErrors).filter(([, e]) => e.errors + e.scannerErrors > 0);
  if (errors.length > 0) sections.push('', `WARNING: scans with errors: ${errors.map(([k, e]) => `${k} ${e.errors} failed, ${e.scannerErrors} SCANNER_ERROR`).join('; ')}`);
  if (b.injection) sections.push('', injectionSection(b.injection));
  if (b.pii) sections.push('', piiSection(b.pii));
  if (b.secrets) {
    sections.push(
      '',
      binarySection(
        '## Secrets (secrets.jsonl)',
        'A positive row with labelled value spans counts only when a SECRET span overlaps one; without spans, any SECRET finding; a negative row is a false positive on any SECRET finding (negatives are negative for one rule only, so a few may hold another secret).',
        [b.secrets],
      ),
    );
  }
  if (b.toxicity) sections.push('', binarySection('## Toxicity (toxicity.jsonl)', 'Detected = any TOXICITY threat (policy minimum confidence applies). Label 1 = hate or offensive.', b.toxicity));
  sections.push('', latencySection(report));
  if (report.comparison) sections.push('', comparisonSection(report.comparison.rows, report.comparison.peers));
  return sections.join('\n') + '\n';
}
