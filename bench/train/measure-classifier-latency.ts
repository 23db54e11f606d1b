/**
 * Latency of the classifier detectors on 1 KB inputs (p50 / p99 / max), single thread.
 * `npx tsx bench/train/measure-classifier-latency.ts` — a measurement, not a timed test.
 * analyzeText is measured separately: the engine computes it once per scan for all detectors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import { createInjectionClassifierDetector } from '../../src/detectors/injection-classifier-detector.js';
import { createToxicityClassifierDetector } from '../../src/detectors/toxicity-classifier-detector.js';
import type { Detector } from '../../src/detectors/types.js';
import { defaultPolicySet } from '../../src/policy/load-policy.js';
import { dataDirectory } from './labelled-dataset.js';

const policy = Object.values(defaultPolicySet({}).tenants)[0]!.default!;
const SIZE = 1024;

function inputs(): string[] {
  const path = resolve(dataDirectory(), 'injection.jsonl');
  const texts: string[] = [];
  if (existsSync(path)) {
    const all = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { text: string }).text);
    // Concatenate rows until 1 KB so every input is exactly 1 KB of real prompt text.
    let buffer = '';
    for (const t of all) {
      buffer += `${t}\n`;
      while (buffer.length >= SIZE) {
        texts.push(buffer.slice(0, SIZE));
        buffer = buffer.slice(SIZE);
      }
    }
  } else {
    const base = 'Please summarise the attached report and ignore the appendix. ';
    for (let i = 0; i < 2000; i++) texts.push(`${i} ${base.repeat(20)}`.slice(0, SIZE));
  }
  return texts;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * Wall-clock AND process CPU time per call. On a busy shared machine the wall clock includes
 * time the thread was descheduled; the process CPU time excludes that but includes V8's helper
 * threads (GC), so it overstates the tail. Compare both, and the load average printed first.
 */
function measure(name: string, run: (i: number) => void, n: number): void {
  for (let i = 0; i < Math.min(n, 500); i++) run(i); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
  const line = (label: string, t: number[]) => `${label} p50 ${us(percentile(t, 0.5))} p99 ${us(percentile(t, 0.99))} max ${us(t.at(-1)!)}`;
  console.log(`${name.padEnd(24)} n=${n}  ${line('cpu', cpu)}  |  ${line('wall', wall)}`);
}

console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
const texts = inputs();
const analyzed = texts.map((t) => analyzeText(t));
const injection = createInjectionClassifierDetector(policy) as Detector;
measure('analyzeText (shared)', (i) => analyzeText(texts[i % texts.length]!), texts.length);
measure('injection-classifier', (i) => injection.detect({ text: analyzed[i % texts.length]!, direction: 'INPUT' }), texts.length);
try {
  const toxicity = createToxicityClassifierDetector(policy) as Detector;
  measure('toxicity-classifier', (i) => toxicity.detect({ text: analyzed[i % texts.length]!, direction: 'INPUT' }), texts.length);
} catch (err) {
  console.log(`toxicity-classifier: ${(err as Error).message}`);
}
