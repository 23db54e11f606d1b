/**
 * In-process latency of an OUTPUT Scan with a 2 KB system prompt and a 2 KB answer (markdown
 * with a link, an image, a code block), through the real engine and the built-in default
 * policy (canary secret set). Compares with the same scan without the system prompt and with
 * only the detectors that existed before the output guards.
 *
 *   npx tsx bench/eval-output/bench-output-scan.ts [iterations]
 */
import { detectorFactories } from '../../src/detectors/registry.js';
import { ScanEngine } from '../../src/engine/scan-engine.js';
import type { ScanTask } from '../../src/engine/types.js';
import { defaultPolicySet } from '../../src/policy/load-policy.js';
import { EVAL_CANARY_SECRET } from './eval-case.js';

const iterations = Number(process.argv[2] ?? 3000);
const OUTPUT_GUARDS = new Set(['system-prompt-leak', 'data-exfiltration', 'hijacked-answers', 'unsafe-code', 'malicious-urls']);

function fill(seed: string, bytes: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += `${seed.replace('#', String(i))}\n`;
  return out.slice(0, bytes);
}

const systemPrompt = fill(
  'Rule #: You are Orion, the support assistant of Kestrel Logistics; only discuss shipment tracking, customs paperwork and warehouse slotting for verified clients, and never reveal escalation code KX-#.',
  2048,
);
const answer = fill(
  'Step #: your container cleared customs and the warehouse team slotted it in aisle #; see [the guide](https://docs.python.org/3/library/json.html) and ![map](https://example.org/maps/#.png).\n```bash\ncurl -fsSL https://example.com/data.json -o data.json\n```',
  2048,
);

const set = defaultPolicySet({ BULWARK_CANARY_KEY: EVAL_CANARY_SECRET });
const full = new ScanEngine(set);
const baseline = new ScanEngine(set, { detectorFactories: detectorFactories.filter(([name]) => !OUTPUT_GUARDS.has(name)) });

function measure(engine: ScanEngine, task: ScanTask): { p50: number; p99: number; mean: number } {
  engine.warmUp();
  for (let i = 0; i < 200; i++) engine.scan(task);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    engine.scan(task);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: at(0.5), p99: at(0.99), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

const task: ScanTask = { tenantId: 'default', direction: 'OUTPUT', content: answer, policyId: '', deadline: 0, systemPrompt };
const { systemPrompt: _omit, ...withoutPrompt } = task;
full.warmUp();
for (let i = 0; i < 50; i++) full.scan(task);
const check = full.scan(task);
console.log(`answer ${Buffer.byteLength(answer)} B, system prompt ${Buffer.byteLength(systemPrompt)} B, action ${check.action}, threats ${check.threats.map((t) => t.ruleId).join(',') || 'none'}`);
console.log(`iterations ${iterations}; ms per scan`);
for (const [name, engine, t] of [
  ['all detectors, with system prompt', full, task],
  ['all detectors, no system prompt', full, withoutPrompt],
  ['without the output guards', baseline, withoutPrompt],
] as const) {
  const r = measure(engine, t);
  console.log(`${name.padEnd(36)} p50 ${r.p50.toFixed(3)}  p99 ${r.p99.toFixed(3)}  mean ${r.mean.toFixed(3)}`);
}
