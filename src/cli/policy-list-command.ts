/** `bulwark policy list`: the caller's tenant's live policies on the control plane, one line each. */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { PolicyAdminService, type Policy } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { connectAdmin, SERVER_FLAGS, SERVER_HELP } from './control-plane-client.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags } from './parse-flags.js';

const help = `Usage: bulwark policy list [options]

Lists the policies of the token's tenant (only that tenant's): id, version, compiled
version, number of guardrail rules, last change and its author.

Options:
${SERVER_HELP}  -h, --help     show this help
`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n') + '\n';
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, SERVER_FLAGS, 0);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const admin = connectAdmin(flags, io.env);
  const policies: Policy[] = [];
  try {
    let pageToken = '';
    do {
      const page = await admin.call(PolicyAdminService, 'listPolicies', { pageSize: 500, pageToken });
      policies.push(...page.policies);
      pageToken = page.nextPageToken;
    } while (pageToken);
  } finally {
    admin.close();
  }
  const rows = [['POLICY', 'VERSION', 'COMPILED', 'RULES', 'UPDATED', 'BY']];
  for (const p of policies) {
    const updated = p.createTime ? timestampDate(p.createTime).toISOString().replace(/\.\d+Z$/, 'Z') : '';
    rows.push([p.policyId, String(p.version), p.compiledVersion, String(p.ruleCount), updated, p.createdBy || '-']);
  }
  io.stdout.write(policies.length > 0 ? table(rows) : 'no policies\n');
  return ExitCode.OK;
}

export const policyListCommand: CliCommand = {
  name: 'policy list',
  summary: "list the token's tenant's policies on the control plane",
  help,
  run,
};
