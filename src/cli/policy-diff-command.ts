/**
 * `bulwark policy diff -f FILE|DIR`: what `apply` would change, as a line diff of each
 * stored policy's YAML against the file's document (new policies shown whole).
 */
import type { CliCommand, CliIo } from './cli-command.js';
import { SERVER_FLAGS, SERVER_HELP } from './control-plane-flags.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';

const help = `Usage: bulwark policy diff -f FILE|DIR [options]

Shows, for each policy document of the files, how the caller's tenant's stored policy
would change under \`bulwark policy apply\`. Documents that only differ in comments,
layout or key order count as equal. Exit 0; with --exit-code, 1 when anything differs.

Options:
  -f, --filename FILE|DIR   a policy file, or a directory of *.yaml / *.yml files
  --exit-code               exit 1 when there are differences (like git diff --exit-code)
${SERVER_HELP}  -h, --help                show this help
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { filename: { type: 'string', short: 'f' }, 'exit-code': { type: 'boolean' }, ...SERVER_FLAGS }, 0);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const path = stringFlag(flags, 'filename');
  if (!path) throw new UsageError('missing -f FILE|DIR');
  // Loaded only now: the client pulls in grpc-js.
  const [{ connectAdmin }, actions] = await Promise.all([import('./control-plane-client.js'), import('./policy-gitops-actions.js')]);
  const admin = connectAdmin(flags, io.env);
  let differences: number;
  try {
    differences = await actions.diffPolicies(admin, path, io);
  } finally {
    admin.close();
  }
  return differences > 0 && flags.values['exit-code'] ? ExitCode.ERROR : ExitCode.OK;
}

export const policyDiffCommand: CliCommand = {
  name: 'policy diff',
  summary: 'show what `policy apply` would change on the control plane',
  help,
  run,
};
