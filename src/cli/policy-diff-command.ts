/**
 * `bulwark policy diff -f FILE|DIR`: what `apply` would change, as a line diff of each
 * stored policy's YAML against the file's document (new policies shown whole).
 */
import { status } from '@grpc/grpc-js';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { AdminCallError, connectAdmin, SERVER_FLAGS, SERVER_HELP } from './control-plane-client.js';
import { ExitCode } from './exit-codes.js';
import { lineDiff } from './line-diff.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';
import { readPolicyDocuments, sameContent } from './policy-documents.js';

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
  const { documents } = readPolicyDocuments(path);
  const admin = connectAdmin(flags, io.env);
  let differences = 0;
  try {
    for (const doc of documents) {
      let stored;
      try {
        stored = (await admin.call(PolicyAdminService, 'getPolicy', { policyId: doc.policyId })).policy;
      } catch (err) {
        if (!(err instanceof AdminCallError && err.code === status.NOT_FOUND)) throw err;
      }
      if (stored && sameContent(stored.yaml, doc.yaml)) continue;
      differences++;
      io.stdout.write(`--- policy/${doc.policyId} ${stored ? `(control plane, version ${stored.version})` : '(does not exist)'}\n`);
      io.stdout.write(`+++ policy/${doc.policyId} (${doc.source})\n`);
      io.stdout.write(`${lineDiff(stored?.yaml ?? '', doc.yaml).join('\n')}\n`);
    }
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
