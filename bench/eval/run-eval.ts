/**
 * `npm run eval`: measures Bulwark's production detection path on the labelled public data
 * and, with --peers, other open-source guards on the same rows (evaluate.ts does the work).
 * Prints Markdown tables, or JSON with --json. Deterministic apart from latency. Never prints
 * text from the data; progress goes to stderr.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicyFlag } from '../../src/cli/load-policy-flag.js';
import { DATA_FILES, locateData, type DatasetName } from './datasets.js';
import { REPO_ROOT, runEvaluation } from './evaluate.js';
import { PEER_NAMES } from './peers/peer-adapter.js';
import { reportJson } from './report-json.js';
import { reportTable } from './report-table.js';

const HELP = `Usage: npm run eval -- [options]

Scans labelled JSONL files (injection, pii, secrets, toxicity) through Bulwark's worker pool
(the path of \`bulwark scan --jsonl\`, time budget lifted) and reports recall, false-positive
rate, precision, F1, balanced accuracy, ROC-AUC, recall at 1% / 0.1% FPR, PII span scores
(exact and overlap) and latency per item, overall, per source and per attack surface.

Options:
  --data DIR              directory with the JSONL files (default: ../shared/data next to the repo)
  --policy FILE           policy YAML (default: the built-in default policy)
  --json                  print one JSON document instead of tables
  --peers                 also run the other guards (${PEER_NAMES.join(', ')}) on the same rows
  --peer NAME             run only this peer (repeatable; implies --peers)
  --with-classifier       add the trained injection/toxicity classifiers when they are not yet in
                          the detector registry (then the engine runs in-process, one thread)
  --workers N             pool threads (default: number of cores)
  --latency-samples N     texts for the per-detector timing (default 2000)
  --only NAME             evaluate only this data set (repeatable: ${Object.keys(DATA_FILES).join(', ')}),
                          e.g. \`--only secrets\` for a quick run while tuning one detector
  -h, --help              show this help
`;

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      policy: { type: 'string' },
      json: { type: 'boolean' },
      peers: { type: 'boolean' },
      peer: { type: 'string', multiple: true },
      'with-classifier': { type: 'boolean' },
      workers: { type: 'string' },
      'latency-samples': { type: 'string' },
      only: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const dataDir = resolve(values.data ?? resolve(REPO_ROOT, '../shared/data'));
  if (Object.keys(locateData(dataDir)).length === 0) {
    process.stdout.write(
      `No labelled data in ${dataDir} (looked for ${Object.values(DATA_FILES).join(', ')}); nothing to evaluate.\n` +
        `Point the evaluation at a directory that holds them:  npm run eval -- --data /path/to/data\n` +
        `(the project's public data set is expected in ../shared/data next to the repository; see its README.md).\n`,
    );
    return 0;
  }
  const only = values.only?.map((name) => {
    if (!Object.hasOwn(DATA_FILES, name)) throw new Error(`unknown data set "${name}" (known: ${Object.keys(DATA_FILES).join(', ')})`);
    return name as DatasetName;
  });
  for (const name of values.peer ?? []) if (!PEER_NAMES.includes(name)) throw new Error(`unknown peer "${name}" (known: ${PEER_NAMES.join(', ')})`);
  const report = await runEvaluation({
    dataDir,
    policySet: loadPolicyFlag(values.policy),
    policySource: values.policy ?? 'built-in default policy',
    workers: positiveInt(values.workers, '--workers'),
    withClassifier: values['with-classifier'] ?? false,
    peers: values.peer ?? values.peers ?? false,
    latencySamples: positiveInt(values['latency-samples'], '--latency-samples'),
    only,
    argv,
    log: (line) => void process.stderr.write(`eval: ${line}\n`),
  });
  process.stdout.write(values.json ? reportJson(report) : reportTable(report));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Our own messages (flags, policy file, data file line numbers); never scanned text.
    process.stderr.write(`eval failed: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  },
);
