/** `bulwark policy list`: the caller's tenant's live policies on the control plane, one line each. */
import type { CliCommand, CliIo } from './cli-command.js';
import { SERVER_FLAGS, SERVER_HELP } from './control-plane-flags.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags } from './parse-flags.js';

const help = `Usage: bulwark policy list [options]

Lists the policies of the token's tenant (only that tenant's): id, version, compiled
version, number of guardrail rules, last change and its author.

Options:
${SERVER_HELP}  -h, --help     show this help
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, SERVER_FLAGS, 0);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  // Loaded only now: the client pulls in grpc-js.
  const [{ connectAdmin }, actions] = await Promise.all([import('./control-plane-client.js'), import('./policy-gitops-actions.js')]);
  const admin = connectAdmin(flags, io.env);
  try {
    await actions.listPolicies(admin, io);
  } finally {
    admin.close();
  }
  return ExitCode.OK;
}

export const policyListCommand: CliCommand = {
  name: 'policy list',
  summary: "list the token's tenant's policies on the control plane",
  help,
  run,
};
