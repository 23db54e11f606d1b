/**
 * What the GitOps commands do against the admin API (PolicyAdminService), given a
 * connection: apply, diff, get and list. Loaded only when one of them runs.
 */
import { status } from '@grpc/grpc-js';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { PolicyAdminService, type Policy } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import { redactPolicySecrets } from '../policy/policy-secrets.js';
import type { CliIo } from './cli-command.js';
import { AdminCallError, type AdminConnection } from './control-plane-client.js';
import { lineDiff } from './line-diff.js';
import { readPolicyDocuments, sameContent, type PolicyDocument } from './policy-documents.js';

/** The stored policy, or undefined when it does not exist (or was deleted). */
async function stored(admin: AdminConnection, policyId: string): Promise<Policy | undefined> {
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

/**
 * Whether the stored policy already says what `doc` says. A token without the secrets
 * permission reads `hashSalt: REDACTED` (src/policy/policy-secrets.ts): then the redacted texts
 * must match and so must the compiled versions, which cover the salt through its digest.
 */
async function unchanged(admin: AdminConnection, existing: Policy, doc: PolicyDocument): Promise<boolean> {
  if (sameContent(existing.yaml, doc.yaml)) return true;
  const redacted = redactPolicySecrets(doc.yaml);
  if (redacted === doc.yaml || !sameContent(existing.yaml, redacted)) return false;
  const check = await admin.call(PolicyAdminService, 'validatePolicy', { policyId: doc.policyId, yaml: doc.yaml, includeRules: true });
  return check.valid && check.compiledVersion === existing.compiledVersion;
}

async function applyOne(admin: AdminConnection, doc: PolicyDocument): Promise<string> {
  const existing = await stored(admin, doc.policyId);
  if (!existing) {
    const created = (await admin.call(PolicyAdminService, 'createPolicy', { policyId: doc.policyId, yaml: doc.yaml })).policy;
    return `policy/${doc.policyId} created (version ${created?.version})`;
  }
  if (await unchanged(admin, existing, doc)) return `policy/${doc.policyId} unchanged (version ${existing.version})`;
  const updated = (await admin.call(PolicyAdminService, 'updatePolicy', { policyId: doc.policyId, yaml: doc.yaml, expectedVersion: existing.version })).policy;
  return `policy/${doc.policyId} configured (version ${updated?.version})`;
}

/** Validates every document, then creates or updates each; one line per policy on stdout. */
export async function applyPolicies(admin: AdminConnection, path: string, io: CliIo): Promise<void> {
  const { documents, skipped } = readPolicyDocuments(path);
  for (const s of skipped) io.stderr.write(`skipped ${s}: only kind: Policy documents are stored\n`);
  await validateAll(admin, documents);
  for (const doc of documents) io.stdout.write(`${await applyOne(admin, doc)}\n`);
}

/** Prints a diff per changed or new policy; returns how many differ. */
export async function diffPolicies(admin: AdminConnection, path: string, io: CliIo): Promise<number> {
  let differences = 0;
  for (const doc of readPolicyDocuments(path).documents) {
    const current = await stored(admin, doc.policyId);
    if (current && (await unchanged(admin, current, doc))) continue;
    differences++;
    io.stdout.write(`--- policy/${doc.policyId} ${current ? `(control plane, version ${current.version})` : '(does not exist)'}\n`);
    io.stdout.write(`+++ policy/${doc.policyId} (${doc.source})\n`);
    io.stdout.write(`${lineDiff(current?.yaml ?? '', doc.yaml).join('\n')}\n`);
  }
  return differences;
}

/** Prints one policy's YAML after a comment line with its versions. */
export async function printPolicy(admin: AdminConnection, policyId: string, options: { version: number; effective: boolean }, io: CliIo): Promise<void> {
  const policy = (await admin.call(PolicyAdminService, 'getPolicy', { policyId, version: options.version })).policy;
  if (!policy) throw new Error('empty response from the control plane');
  const text = options.effective ? policy.effectiveYaml : policy.yaml;
  io.stdout.write(`# policy ${policy.policyId} version ${policy.version}${policy.deleted ? ' (deleted)' : ''}, compiled ${policy.compiledVersion || '-'}\n`);
  io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n') + '\n';
}

/** Prints the tenant's live policies as a table (all pages). */
export async function listPolicies(admin: AdminConnection, io: CliIo): Promise<void> {
  const policies: Policy[] = [];
  let pageToken = '';
  do {
    const page = await admin.call(PolicyAdminService, 'listPolicies', { pageSize: 500, pageToken });
    policies.push(...page.policies);
    pageToken = page.nextPageToken;
  } while (pageToken);
  const rows = [['POLICY', 'VERSION', 'COMPILED', 'RULES', 'UPDATED', 'BY']];
  for (const p of policies) {
    const updated = p.createTime ? timestampDate(p.createTime).toISOString().replace(/\.\d+Z$/, 'Z') : '';
    rows.push([p.policyId, String(p.version), p.compiledVersion, String(p.ruleCount), updated, p.createdBy || '-']);
  }
  io.stdout.write(policies.length > 0 ? table(rows) : 'no policies\n');
}
