/** `bulwark policy get NAME`: prints a stored policy's YAML (as submitted, or the effective document). */
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { connectAdmin, SERVER_FLAGS, SERVER_HELP } from './control-plane-client.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, positiveInt, stringFlag, UsageError } from './parse-flags.js';

const help = `Usage: bulwark policy get NAME [options]

Prints the caller's tenant's policy NAME as YAML, after a comment line with its version
and compiled version. The output can be applied again unchanged.

Options:
  --effective          print the effective document (guardrail rules merged in,
                       metadata.tenant/name set): what sidecars load
  --version N          an older version (default: the current one)
${SERVER_HELP}  -h, --help           show this help
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { effective: { type: 'boolean' }, version: { type: 'string' }, ...SERVER_FLAGS }, 1);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const policyId = flags.positionals[0];
  if (!policyId) throw new UsageError('missing NAME');
  const admin = connectAdmin(flags, io.env);
  try {
    const version = positiveInt(stringFlag(flags, 'version'), '--version') ?? 0;
    const policy = (await admin.call(PolicyAdminService, 'getPolicy', { policyId, version })).policy;
    if (!policy) throw new Error('empty response');
    const text = flags.values.effective ? policy.effectiveYaml : policy.yaml;
    io.stdout.write(`# policy ${policy.policyId} version ${policy.version}${policy.deleted ? ' (deleted)' : ''}, compiled ${policy.compiledVersion || '-'}\n`);
    io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  } finally {
    admin.close();
  }
  return ExitCode.OK;
}

export const policyGetCommand: CliCommand = {
  name: 'policy get',
  summary: "print a control-plane policy's YAML",
  help,
  run,
};
