/**
 * `bulwark policy validate FILE`: compiles a policy file exactly as the sidecar would and
 * prints what it contains, or the first validation error (file:line field: message).
 */
import type { CliCommand, CliIo } from './cli-command.js';
import type { PolicySet } from '../policy/types.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, UsageError } from './parse-flags.js';

const help = `Usage: bulwark policy validate FILE

Parses and compiles FILE (multi-document policy YAML) with the sidecar's own loader.
Valid: prints the tenants, their policies and versions, and exits 0.
Invalid: prints the error as "FILE:LINE field: message" and exits 1.

Options:
  -h, --help   show this help
`;

/** Per tenant, one line per policy: its version, fail mode and custom-rule count. */
export function summarizePolicySet(set: PolicySet): string {
  const tenants = Object.keys(set.tenants).sort();
  const policyCount = tenants.reduce((n, t) => n + Object.keys(set.tenants[t] ?? {}).length, 0);
  const lines = [
    `policy set version: ${set.version}`,
    `tenants: ${tenants.length}, policies: ${policyCount}, unknown tenants: ${set.unknownTenant === 'default' ? 'use "default"' : 'rejected'}`,
  ];
  for (const tenant of tenants) {
    lines.push(`  tenant ${tenant}:`);
    const policies = Object.values(set.tenants[tenant] ?? {}).sort((a, b) => a.id.localeCompare(b.id));
    const width = Math.max(...policies.map((p) => p.id.length));
    for (const p of policies) {
      const n = p.customRules.length;
      const rules = n > 0 ? `, ${n} custom rule${n > 1 ? 's' : ''}` : '';
      lines.push(`    ${p.id.padEnd(width)}  version ${p.version}, fail ${p.failMode}${rules}`);
    }
  }
  return lines.join('\n') + '\n';
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, {}, 1);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const file = flags.positionals[0];
  if (file === undefined) throw new UsageError('missing FILE');
  const { loadPolicyFlag } = await import('./load-policy-flag.js');
  const set = loadPolicyFlag(file);
  io.stdout.write(`${file}: valid\n` + summarizePolicySet(set));
  return ExitCode.OK;
}

export const policyValidateCommand: CliCommand = {
  name: 'policy validate',
  summary: 'check a policy file and summarise it (exit 1 with file:line field: message if invalid)',
  help,
  run,
};
