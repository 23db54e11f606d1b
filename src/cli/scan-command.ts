/**
 * `bulwark scan [TEXT]`: scans one piece of content in-process (no server), prints the
 * decision, and exits 2 when the decision is BLOCK so shell pipelines can gate on it.
 */
import type { CliCommand, CliIo } from './cli-command.js';
import type { DirectionName } from '../detectors/types.js';
import { ExitCode } from './exit-codes.js';
import { oneOf, parseFlags, stringFlag, UsageError } from './parse-flags.js';
import { readAllText } from './read-stream.js';
import { formatScanResult } from './format-scan-result.js';
import { scanResultToJson } from './scan-result-json.js';

const help = `Usage: bulwark scan [TEXT] [options]
       bulwark scan --jsonl [options] < lines.jsonl   (see: bulwark scan --jsonl --help)

Scans TEXT (or, without TEXT, all of stdin) in this process, without a server.

Options:
  --direction input|output   which way the content flows (default: input)
  --policy FILE              policy YAML file (default: the built-in default policy)
  --tenant ID                tenant whose policy applies (default: "default")
  --json                     print one JSON object (proto JSON field names):
                             action, allowed, threats, redacted_content, latency_ms, policy_version
  -h, --help                 show this help

Output never contains the matched text: threats are shown by type, rule and span
(Unicode code point offsets). The redacted content is printed when the action is REDACT.

Exit codes: 0 allow/warn/redact, 2 block, 1 error (e.g. invalid policy), 64 usage.
`;

/** Parses the direction flag shared by the scan commands. */
export function directionFlag(value: string | undefined): DirectionName {
  const d = oneOf(value, ['input', 'output'] as const, '--direction') ?? 'input';
  return d === 'input' ? 'INPUT' : 'OUTPUT';
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(
    args,
    {
      direction: { type: 'string' },
      policy: { type: 'string' },
      tenant: { type: 'string' },
      json: { type: 'boolean' },
    },
    1,
  );
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const direction = directionFlag(stringFlag(flags, 'direction'));
  let content = flags.positionals[0];
  if (content === undefined) {
    if ((io.stdin as { isTTY?: boolean }).isTTY) {
      throw new UsageError('no TEXT given and stdin is a terminal; pass TEXT or pipe the content in');
    }
    content = await readAllText(io.stdin);
  }
  // Loaded only now: --help and usage errors answer at once, without compiling detectors.
  const [{ loadPolicyFlag }, { ScanEngine }] = await Promise.all([import('./load-policy-flag.js'), import('../engine/scan-engine.js')]);
  const policySet = loadPolicyFlag(stringFlag(flags, 'policy'));
  const engine = new ScanEngine(policySet);
  // Compile the detectors before the timed scan: a one-shot scan would otherwise spend its
  // whole time budget compiling and be decided by the fail mode instead of by the detectors.
  engine.warmUp();
  const result = engine.scan({
    tenantId: stringFlag(flags, 'tenant') ?? '',
    direction,
    content,
    policyId: '',
    deadline: 0,
  });
  io.stdout.write(flags.values.json ? JSON.stringify(scanResultToJson(result)) + '\n' : formatScanResult(result));
  return result.action === 'BLOCK' ? ExitCode.BLOCKED : ExitCode.OK;
}

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'scan TEXT or stdin in-process and print the decision (exit 2 on BLOCK)',
  help,
  run,
};
