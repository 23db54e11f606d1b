/** Text tables for the bench output: scan next to the empty RPC, and the targets. */
import type { LoadResult } from './grpc-load.js';

export interface BenchCell {
  sizeBytes: number;
  concurrency: number;
  scan: LoadResult;
  /** The empty RPC at the same concurrency (measured once per concurrency). */
  empty: LoadResult;
  /** Server RSS right after the cell. */
  rssMiB: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  pass: boolean;
}

function size(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} B`;
}

function ms(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : 'n/a';
}

function row(cols: string[], widths: number[]): string {
  return cols.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

export function formatGrid(cells: BenchCell[]): string {
  const header = ['size', 'conc', 'scan p50', 'p95', 'p99', 'scans/s', 'server p50', 'err', '| empty p50', 'p95', 'p99', 'req/s', 'scan/empty', 'RSS MiB'];
  const rows = cells.map((c) => [
    size(c.sizeBytes),
    String(c.concurrency),
    ms(c.scan.p50),
    ms(c.scan.p95),
    ms(c.scan.p99),
    c.scan.perSecond.toFixed(0),
    ms(c.scan.serverP50 ?? Number.NaN),
    String(c.scan.errors),
    `| ${ms(c.empty.p50)}`,
    ms(c.empty.p95),
    ms(c.empty.p99),
    c.empty.perSecond.toFixed(0),
    (c.scan.perSecond / c.empty.perSecond).toFixed(2),
    c.rssMiB.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const errors = cells.filter((c) => c.scan.firstError).map((c) => `  ${size(c.sizeBytes)} c${c.concurrency}: ${c.scan.firstError}`);
  return [
    'latency in ms, client-observed, closed loop; server p50 = ScanResponse.latency_ms (time inside the sidecar: queue + scan);',
    'empty = grpc.health.v1.Health/Check on the same server',
    row(header, widths),
    ...rows.map((r) => row(r, widths)),
    ...(errors.length ? ['scan errors:', ...errors] : []),
  ].join('\n');
}

export function formatTargets(checks: TargetCheck[]): string {
  return ['targets:', ...checks.map((c) => `  [${c.pass ? 'PASS' : 'FAIL'}] ${c.target}: ${c.measured}`)].join('\n');
}
