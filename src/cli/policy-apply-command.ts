/**
 * `bulwark policy apply -f FILE|DIR`: makes the control plane's policies of the caller's
 * tenant match the files (create new ones, update changed ones, leave equal ones alone;
 * policies absent from the files are not deleted). Every document is validated by the
 * control plane first (ValidatePolicy), so an invalid file changes nothing.
 */
import type { CliCommand, CliIo } from './cli-command.js';
import { SERVER_FLAGS, SERVER_HELP } from './control-plane-flags.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';

const help = `Usage: bulwark policy apply -f FILE|DIR [options]

Creates or updates the caller's tenant's policies from policy YAML (the sidecar's file
format; one policy per "kind: Policy" document, named by metadata.name, else "default").
Documents equal to the stored policy are left alone. Policies not in the files are kept.
All documents are validated by the control plane before anything is written.
Prints one line per policy: "policy/ID created|configured|unchanged (version N)".

Options:
  -f, --filename FILE|DIR   a policy file, or a directory of *.yaml / *.yml files
${SERVER_HELP}  -h, --help                show this help
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { filename: { type: 'string', short: 'f' }, ...SERVER_FLAGS }, 0);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const path = stringFlag(flags, 'filename');
  if (!path) throw new UsageError('missing -f FILE|DIR');
  // Loaded only now: the client pulls in grpc-js.
  const [{ connectAdmin }, actions] = await Promise.all([import('./control-plane-client.js'), import('./policy-gitops-actions.js')]);
  const admin = connectAdmin(flags, io.env);
  try {
    await actions.applyPolicies(admin, path, io);
  } finally {
    admin.close();
  }
  return ExitCode.OK;
}

export const policyApplyCommand: CliCommand = {
  name: 'policy apply',
  summary: 'create or update policies on the control plane from YAML files (GitOps)',
  help,
  run,
};
