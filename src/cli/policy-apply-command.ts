/**
 * `bulwark policy apply -f FILE|DIR`: makes the control plane's policies of the caller's
 * tenant match the files (create new ones, update changed ones, leave equal ones alone;
 * policies absent from the files are not deleted). Every document is validated by the
 * control plane first (ValidatePolicy), so an invalid file changes nothing.
 */
import { status } from '@grpc/grpc-js';
import { PolicyAdminService } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { AdminCallError, connectAdmin, SERVER_FLAGS, SERVER_HELP, type AdminConnection } from './control-plane-client.js';
import { ExitCode } from './exit-codes.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';
import { readPolicyDocuments, sameContent, type PolicyDocument } from './policy-documents.js';

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

/** The stored policy, or undefined when it does not exist (or was deleted). */
async function current(admin: AdminConnection, policyId: string) {
  try {
    return (await admin.call(PolicyAdminService, 'getPolicy', { policyId })).policy;
  } catch (err) {
    if (err instanceof AdminCallError && err.code === status.NOT_FOUND) return undefined;
    throw err;
  }
}

async function validateAll(admin: AdminConnection, documents: PolicyDocument[]): Promise<void> {
  const problems: string[] = [];
  for (const doc of documents) {
    const result = await admin.call(PolicyAdminService, 'validatePolicy', { policyId: doc.policyId, yaml: doc.yaml, includeRules: true });
    if (!result.valid) problems.push(...result.errors.map((e) => `${doc.source}: ${e}`));
  }
  if (problems.length > 0) throw new PolicyValidationError(`nothing applied:\n${problems.join('\n')}`);
}

async function applyOne(admin: AdminConnection, doc: PolicyDocument): Promise<string> {
  const existing = await current(admin, doc.policyId);
  if (!existing) {
    const created = (await admin.call(PolicyAdminService, 'createPolicy', { policyId: doc.policyId, yaml: doc.yaml })).policy;
    return `policy/${doc.policyId} created (version ${created?.version})`;
  }
  if (sameContent(existing.yaml, doc.yaml)) return `policy/${doc.policyId} unchanged (version ${existing.version})`;
  const updated = (await admin.call(PolicyAdminService, 'updatePolicy', { policyId: doc.policyId, yaml: doc.yaml, expectedVersion: existing.version })).policy;
  return `policy/${doc.policyId} configured (version ${updated?.version})`;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { filename: { type: 'string', short: 'f' }, ...SERVER_FLAGS }, 0);
  if (flags.values.help) {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  const path = stringFlag(flags, 'filename');
  if (!path) throw new UsageError('missing -f FILE|DIR');
  const { documents, skipped } = readPolicyDocuments(path);
  for (const s of skipped) io.stderr.write(`skipped ${s}: only kind: Policy documents are stored\n`);
  const admin = connectAdmin(flags, io.env);
  try {
    await validateAll(admin, documents);
    for (const doc of documents) io.stdout.write(`${await applyOne(admin, doc)}\n`);
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
