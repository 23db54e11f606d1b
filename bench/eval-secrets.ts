/**
 * Measures the secret detector on labelled public data (see ../shared/data/README.md).
 *
 *   npx tsx bench/eval-secrets.ts [path/to/secrets.jsonl] [--errors]   (from the repository root)
 *
 * Prints numbers only: recall on positives and false-positive rate on negatives, overall, per
 * source, per rule family, at several confidence thresholds, plus scan latency. With --errors it
 * also lists the row numbers (and dataset rule names) of misses and false positives, never text.
 * A held-out look at false positives: the same detector over the text of the sibling data files
 * that hold no secrets (benign injection rows, toxicity, PII sentences), which no secret rule was
 * tuned on. For the production path (policy, pool) use `npm run eval -- --only secrets`.
 *
 * Matching: a positive row counts as found when a finding overlaps one of its labelled value
 * spans (CredSweeper rows carry spans) or, for rows without spans (noseyparker), when any
 * SECRET finding is produced. A negative row is a false positive when any finding is produced
 * (strict: the dataset's negatives are negative for one rule, so a few may hold a secret of
 * another kind; those are listed with --errors and discussed in the report).
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeText } from '../src/detectors/normalize/analyze-text.js';
import { detectSecrets } from '../src/detectors/secret-patterns.js';
import { loadSecretRuleCatalog } from '../src/detectors/secrets/secret-rule-catalog.js';
import { evaluateMatch } from '../src/detectors/secrets/secret-candidate.js';
import type { Finding, TextSpan } from '../src/detectors/types.js';

interface Row {
  text: string;
  label: 0 | 1;
  source: string;
  subset: string;
  rule: string;
  spans?: Array<{ start: number; end: number; type: string }>;
}

/**
 * Dataset rule names that describe identifiers or public values rather than credentials
 * (bucket names, ARNs, client ids, public keys, app ids, UUIDs, salts, nonces). Chosen from
 * the names before measuring; Bulwark deliberately does not flag these in LLM traffic.
 */
const NON_CREDENTIAL = [
  /^Amazon Resource Name$/,
  /S3 Bucket/,
  /Cloud Storage Bucket/,
  /^Shopify Domain$/,
  /^Age Recipient/,
  /^AWS Account ID$/,
  /^Google Client ID$/,
  /^Twitter Client ID$/,
  /^LinkedIn Client ID$/,
  /^CodeClimate Reporter ID$/,
  /^React App Username$/,
  /^UUID$/,
  /^Tencent WeChat API App ID$/,
  /^Salt$/,
  /^Nonce$/,
];

const args = process.argv.slice(2);
// Default: ../shared/data beside the repository (run from the repository root, as npm does).
const path = args.find((a) => !a.startsWith('--')) ?? resolve(process.cwd(), '../shared/data/secrets.jsonl');
const showErrors = args.includes('--errors');
if (!existsSync(path)) {
  console.error(`no data at ${path}; pass the path to secrets.jsonl`);
  process.exit(2);
}

const rows: Row[] = readFileSync(path, 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as Row);

/** Code-point offsets (Python) to UTF-16 offsets (JavaScript). */
function toUtf16(text: string, cp: number): number {
  let units = 0;
  let i = 0;
  for (const ch of text) {
    if (i === cp) break;
    units += ch.length;
    i++;
  }
  return units;
}

function overlaps(a: TextSpan, b: TextSpan): boolean {
  return a.start < b.end && b.start < a.end;
}

function found(row: Row, findings: Finding[]): boolean {
  if (!row.spans || row.spans.length === 0) return findings.length > 0;
  const expected = row.spans.map((s) => ({ start: toUtf16(row.text, s.start), end: toUtf16(row.text, s.end) }));
  return findings.some((f) => f.spans.some((s) => expected.some((e) => overlaps(s, e))));
}

function family(row: Row): string {
  return row.rule.split(',')[0]?.trim() ?? row.rule;
}

const catalog = loadSecretRuleCatalog();
const thresholds = [0.5, 0.6, 0.7, 0.8, 0.9];
const results = rows.map((row, index) => {
  const all = detectSecrets(catalog, analyzeText(row.text));
  return { row, index, all };
});

function rate(n: number, d: number): string {
  return d === 0 ? '   n/a' : `${((100 * n) / d).toFixed(1).padStart(5)}%`;
}

function summarise(threshold: number, label: string, filter: (r: (typeof results)[number]) => boolean): void {
  const sel = results.filter(filter);
  const pos = sel.filter((r) => r.row.label === 1);
  const neg = sel.filter((r) => r.row.label === 0);
  const tp = pos.filter((r) => found(r.row, r.all.filter((f) => f.confidence >= threshold))).length;
  const fp = neg.filter((r) => r.all.some((f) => f.confidence >= threshold)).length;
  console.log(
    `${label.padEnd(44)} recall ${rate(tp, pos.length)} (${tp}/${pos.length})   FPR ${rate(fp, neg.length)} (${fp}/${neg.length})`,
  );
}

const isCredential = (r: (typeof results)[number]): boolean => !NON_CREDENTIAL.some((re) => re.test(family(r.row)));
const SHIPPED = 0.5;

console.log(`rows: ${rows.length}  rules in catalogue: ${catalog.rules.length}\n`);
console.log(`== at confidence >= ${SHIPPED}`);
summarise(SHIPPED, 'all rows', () => true);
summarise(SHIPPED, 'credential rows (identifier families excluded)', isCredential);
for (const source of [...new Set(rows.map((r) => r.source))]) {
  summarise(SHIPPED, `  source ${source}`, (r) => r.row.source === source);
  summarise(SHIPPED, `  source ${source} (credentials)`, (r) => r.row.source === source && isCredential(r));
}

console.log('\n== threshold sweep (all rows / credential rows)');
for (const t of thresholds) {
  summarise(t, `  confidence >= ${t}`, () => true);
  summarise(t, `  confidence >= ${t} (credentials)`, isCredential);
}

console.log('\n== per rule family (positives found / total, negatives flagged / total)');
const families = new Map<string, { tp: number; p: number; fp: number; n: number }>();
for (const r of results) {
  const fam = family(r.row);
  const e = families.get(fam) ?? { tp: 0, p: 0, fp: 0, n: 0 };
  const hits = r.all.filter((f) => f.confidence >= SHIPPED);
  if (r.row.label === 1) {
    e.p++;
    if (found(r.row, hits)) e.tp++;
  } else {
    e.n++;
    if (hits.length > 0) e.fp++;
  }
  families.set(fam, e);
}
for (const [fam, e] of [...families.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
  const flag = e.tp < e.p || e.fp > 0 ? ' *' : '';
  console.log(`  ${fam.slice(0, 60).padEnd(60)} ${String(e.tp).padStart(3)}/${String(e.p).padEnd(3)} ${String(e.fp).padStart(3)}/${e.n}${flag}`);
}

// Why positives were missed: the first reject reason of any rule that matched the row's text.
function missReason(text: string): string {
  const reasons: string[] = [];
  for (const rule of catalog.candidates(text.replace(/[A-Z]+/g, (r) => r.toLowerCase()), false)) {
    rule.regex.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = rule.regex.exec(text)) !== null) {
      const r = evaluateMatch(rule, m);
      if (typeof r === 'string') reasons.push(r);
      rule.regex.lastIndex = m.index + 1;
    }
    rule.regex.lastIndex = 0;
  }
  return reasons[0] ?? 'no rule matched';
}
const missed = results.filter((r) => r.row.label === 1 && !found(r.row, r.all.filter((f) => f.confidence >= SHIPPED)));
const reasonCounts = new Map<string, { all: number; credential: number }>();
for (const r of missed) {
  const reason = r.all.length > 0 ? 'finding elsewhere in the row' : missReason(r.row.text);
  const e = reasonCounts.get(reason) ?? { all: 0, credential: 0 };
  e.all++;
  if (isCredential(r)) e.credential++;
  reasonCounts.set(reason, e);
}
console.log(`\n== why positives were missed (${missed.length}; credential rows in brackets)`);
for (const [reason, e] of [...reasonCounts.entries()].sort((a, b) => b[1].all - a[1].all)) {
  console.log(`  ${reason.padEnd(40)} ${String(e.all).padStart(3)} (${e.credential})`);
}

// Latency of detection alone (views precomputed), as CPU time so a loaded machine does not
// inflate it, on the data set and on three typical 1 KB texts.
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
function perScanMs(analysed: ReturnType<typeof analyzeText>[], reps: number): number {
  for (const a of analysed.slice(0, 50)) detectSecrets(catalog, a);
  const c0 = cpuMs();
  for (let rep = 0; rep < reps; rep++) for (const a of analysed) detectSecrets(catalog, a);
  return (cpuMs() - c0) / (reps * analysed.length);
}
const dataKb = rows.reduce((n, row) => n + row.text.length, 0) / 1024;
const datasetMs = perScanMs(rows.map((row) => analyzeText(row.text)), 3) * rows.length;
const kb = (s: string): string => s.repeat(Math.ceil(1024 / s.length)).slice(0, 1024);
const typical: Record<string, string> = {
  'prose with trigger words': kb('The quick brown fox reads the password policy, rotates an API key and counts tokens per minute. '),
  'code without secrets': kb('const user = await db.users.find({ id }); if (!user) throw new Error("not found"); return user.token_count;\n'),
  'config with 2 secrets': `db:\n  host: db.internal\n  password: "Zx9_vB2qLm"\n${kb('  pool: 10\n  timeout_ms: 3000\n  retries: 3\n').slice(0, 900)}\napi_key: k8sJq2Lm4Np6Rt8Vx0Zb2Dc4Fg6Hj8K\n`,
};
console.log(`\nlatency (CPU time, detection only): data set ${(datasetMs / dataKb).toFixed(3)} ms/KB`);
for (const [name, text] of Object.entries(typical)) {
  // Distinct strings per scan: node-re2 caches the last string it converted.
  const texts = Array.from({ length: 200 }, (_, i) => analyzeText(`${text} ${i}`));
  console.log(`  1 KB ${name.padEnd(26)} ${(perScanMs(texts, 5) * 1000).toFixed(0)} µs`);
}
const c1 = cpuMs();
for (const row of rows) analyzeText(row.text);
console.log(`  (analyzeText, not part of this detector: ${((cpuMs() - c1) / dataKb).toFixed(3)} ms/KB on the data set)`);

// Ordinary text the rules were never tuned on: any finding there is a false positive (or a rare
// real secret in public data). Counts per rule only.
const benignFiles: Array<[string, (r: { label?: number }) => boolean]> = [
  ['injection.jsonl', (r) => r.label === 0],
  ['toxicity.jsonl', () => true],
  ['pii.jsonl', () => true],
];
let benignRows = 0;
let benignFlagged = 0;
const benignRules = new Map<string, number>();
for (const [file, keep] of benignFiles) {
  const benignPath = resolve(path, '..', file);
  if (!existsSync(benignPath)) continue;
  for (const line of readFileSync(benignPath, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { text: string; label?: number };
    if (!keep(r)) continue;
    benignRows++;
    const findings = detectSecrets(catalog, analyzeText(r.text)).filter((f) => f.confidence >= SHIPPED);
    if (findings.length > 0) benignFlagged++;
    for (const f of findings) benignRules.set(f.ruleId, (benignRules.get(f.ruleId) ?? 0) + 1);
  }
}
if (benignRows > 0) {
  console.log(
    `\nheld-out text without secrets (benign injection rows, toxicity, pii): ${benignFlagged}/${benignRows} rows flagged ` +
      `(${rate(benignFlagged, benignRows).trim()})${benignRules.size > 0 ? ` by ${[...benignRules].map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
  );
}

if (showErrors) {
  const misses = results.filter((r) => r.row.label === 1 && !found(r.row, r.all.filter((f) => f.confidence >= SHIPPED)));
  const fps = results.filter((r) => r.row.label === 0 && r.all.some((f) => f.confidence >= SHIPPED));
  console.log(`\nmisses (${misses.length}):`);
  for (const r of misses) console.log(`  row ${r.index} [${r.row.source.slice(0, 8)}] ${r.row.rule}`);
  console.log(`false positives (${fps.length}):`);
  for (const r of fps) {
    console.log(`  row ${r.index} [${r.row.source.slice(0, 8)}] ${r.row.rule} <- ${r.all.map((f) => f.ruleId).join(', ')}`);
  }
}
