/**
 * `bulwark scan --jsonl`: scans a stream of JSON lines on every core (the worker pool) and
 * writes one JSON result per input line, in input order. Bad lines become error lines and
 * the run continues, so one malformed record cannot sink a 100k-line evaluation.
 */
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import type { CliCommand, CliIo } from './cli-command.js';
import type { ScanResult, ScanTask } from '../engine/types.js';
import type { PolicySet } from '../policy/types.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, positiveInt, stringFlag } from './parse-flags.js';
import { readLines } from './read-stream.js';
import { orderedMap } from './ordered-map.js';
import { scanResultToJson } from './scan-result-json.js';
import { directionFlag } from './scan-command.js';

const help = `Usage: bulwark scan --jsonl [options] < input.jsonl > results.jsonl

Reads JSON objects, one per line, from stdin; scans each object's text field on all cores;
writes one JSON line per input line, in input order:
  {"id": …, "action": "ACTION_…", "allowed": …, "threats": […], "redacted_content": "…",
   "latency_ms": …, "policy_version": "…"}
("id" is copied from the input line when it has one). A line that is not a JSON object, or
whose field is missing or not a string, gives {"error": "…", "line": N} and the run goes on.
Blank lines are skipped.

Options:
  --field NAME               the field holding the text (default: text)
  --direction input|output   which way the content flows (default: input)
  --policy FILE              policy YAML file (default: the built-in default policy)
  --tenant ID                tenant whose policy applies (default: "default")
  --workers N                worker threads (default: number of cores)
  --no-time-budget           lift every policy's per-scan time budget, so that a busy
                             machine cannot turn a slow scan into a fail-mode decision
                             (SCANNER_ERROR); for offline evaluation, not for enforcement
  --stats                    at the end, print lines, errors and lines/s on stderr
  -h, --help                 show this help

Exit codes: 0 when every line was processed (even with error lines), 1 on a fatal error
(e.g. invalid policy), 64 usage.
`;

/** Per worker, how many lines may be in flight: enough to keep every thread busy between reads. */
const IN_FLIGHT_PER_WORKER = 32;

/** What one line produced: a scan to await, or an error object known at once. */
type LineOutcome = Record<string, unknown>;

interface LineContext {
  field: string;
  template: Omit<ScanTask, 'content'>;
  scan: (task: ScanTask) => Promise<ScanResult>;
}

/** Parses one input line and scans it; never rejects (errors become error objects). */
async function processLine(line: string, lineNo: number, ctx: LineContext): Promise<LineOutcome> {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { error: 'line is not valid JSON', line: lineNo };
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { error: 'line is not a JSON object', line: lineNo };
  }
  const obj = record as Record<string, unknown>;
  const idPart = 'id' in obj ? { id: obj.id } : {};
  const content = obj[ctx.field];
  if (typeof content !== 'string') {
    return { error: `field "${ctx.field}" is missing or not a string`, line: lineNo, ...idPart };
  }
  try {
    const result = await ctx.scan({ ...ctx.template, content });
    return { ...idPart, ...scanResultToJson(result) };
  } catch (err) {
    // Engine and pool errors carry caller-safe messages (never content).
    return { error: `scan failed: ${(err as Error).message}`, line: lineNo, ...idPart };
  }
}

/** Far beyond any real scan: the budget stops mattering, the engine's logic stays the same. */
const LIFTED_TIME_BUDGET_MS = 600_000;

/**
 * The same policies with the time budget lifted. Versions are kept: detection is unchanged,
 * only the fail-mode trigger is, and results should still name the policy file's version.
 */
export function withoutTimeBudget(set: PolicySet): PolicySet {
  const tenants = Object.fromEntries(
    Object.entries(set.tenants).map(([tenant, policies]) => [
      tenant,
      Object.fromEntries(Object.entries(policies).map(([id, p]) => [id, { ...p, timeBudgetMs: LIFTED_TIME_BUDGET_MS }])),
    ]),
  );
  return { ...set, tenants };
}

function countOutcome(outcome: LineOutcome, counts: { lines: number; errors: number; scannerErrors: number }): void {
  counts.lines += 1;
  if ('error' in outcome) counts.errors += 1;
  else if ((outcome.threats as Array<{ type: string }>).some((t) => t.type === 'THREAT_TYPE_SCANNER_ERROR')) counts.scannerErrors += 1;
}

/** Writes one line, waiting for the consumer when its buffer is full (stdout back-pressure). */
function writeLine(out: Writable, text: string): Promise<void> | void {
  if (out.write(text + '\n')) return;
  return new Promise((resolve) => out.once('drain', resolve));
}

/** Yields [line number, line] for non-blank lines. */
async function* numberedLines(lines: AsyncIterable<string>): AsyncGenerator<readonly [number, string]> {
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim().length > 0) yield [n, line] as const;
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(
    args,
    {
      jsonl: { type: 'boolean' },
      field: { type: 'string' },
      direction: { type: 'string' },
      policy: { type: 'string' },
      tenant: { type: 'string' },
      workers: { type: 'string' },
      'no-time-budget': { type: 'boolean' },
      stats: { type: 'boolean' },
    },
    0,
  );
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const workers = positiveInt(stringFlag(flags, 'workers'), '--workers') ?? availableParallelism();
  const direction = directionFlag(stringFlag(flags, 'direction'));
  // Loaded only now: --help and usage errors answer at once, without compiling detectors.
  const [{ loadPolicyFlag }, { openLineScanner }] = await Promise.all([import('./load-policy-flag.js'), import('./line-scanner.js')]);
  const loaded = loadPolicyFlag(stringFlag(flags, 'policy'));
  const policySet = flags.values['no-time-budget'] ? withoutTimeBudget(loaded) : loaded;
  const scanner = await openLineScanner(policySet, workers);
  const counts = { lines: 0, errors: 0, scannerErrors: 0 };
  const startedAt = performance.now();
  try {
    const ctx: LineContext = {
      field: stringFlag(flags, 'field') ?? 'text',
      template: { tenantId: stringFlag(flags, 'tenant') ?? '', direction, policyId: '', deadline: 0 },
      scan: (task) => scanner.scan(task),
    };
    await orderedMap(
      numberedLines(readLines(io.stdin)),
      workers * IN_FLIGHT_PER_WORKER,
      ([lineNo, line]) => processLine(line, lineNo, ctx),
      (outcome) => {
        countOutcome(outcome, counts);
        return writeLine(io.stdout, JSON.stringify(outcome));
      },
    );
  } finally {
    await scanner.close();
  }
  if (flags.values.stats) {
    const seconds = (performance.now() - startedAt) / 1000;
    io.stderr.write(
      `scanned ${counts.lines} lines in ${seconds.toFixed(1)} s (${(counts.lines / seconds).toFixed(0)} lines/s, ${workers} workers); ` +
        `${counts.errors} error lines, ${counts.scannerErrors} results with SCANNER_ERROR\n`,
    );
  }
  return ExitCode.OK;
}

export const scanJsonlCommand: CliCommand = {
  name: 'scan --jsonl',
  summary: 'scan JSON lines from stdin on all cores; one JSON result per line, in order',
  help,
  run,
};
