/** `bulwark policy get NAME`: prints a stored policy's YAML (as submitted, or the effective document). */
import type { CliCommand, CliIo } from './cli-command.js';
import { SERVER_FLAGS, SERVER_HELP } from './control-plane-flags.js';
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
  const version = positiveInt(stringFlag(flags, 'version'), '--version') ?? 0;
  // Loaded only now: the client pulls in grpc-js.
  const [{ connectAdmin }, actions] = await Promise.all([import('./control-plane-client.js'), import('./policy-gitops-actions.js')]);
  const admin = connectAdmin(flags, io.env);
  try {
    await actions.printPolicy(admin, policyId, { version, effective: flags.values.effective === true }, io);
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
