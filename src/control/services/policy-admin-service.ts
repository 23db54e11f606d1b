/** PolicyAdminService: policies of the caller's tenant, each change an immutable version. */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { PolicySchema, PolicyAdminService } from '../../../gen/bulwark/v1/policy_admin_service_pb.js';
import { PolicyValidationError } from '../../policy/policy-error.js';
import type { PolicyVersionRecord } from '../../store/policy-records.js';
import type { PolicyRepository } from '../../store/policy-repository.js';
import { TENANT_ID_PATTERN } from '../../store/scoped-session.js';
import { tenantOf } from '../auth/authorize.js';
import { rolesGrant } from '../auth/roles.js';
import { invalidArgument } from '../grpc/status-errors.js';
import type { CallContext, ServiceHandlers } from '../grpc/unary-service.js';
import { declaredPolicyName } from '../policy-compiler.js';
import { redactPolicySecrets } from '../../policy/policy-secrets.js';
import { timestampFromIso } from './proto-values.js';

/** Policy ids follow the policy format's identifier rule (same as tenant ids). */
export function checkPolicyId(policyId: string, field = 'policy_id'): string {
  if (!TENANT_ID_PATTERN.test(policyId)) {
    throw invalidArgument(`${field} must be letters, digits, "_", ".", ":" or "-" (at most 128, starting with a letter or digit)`);
  }
  return policyId;
}

/** The response form of a version; secrets are redacted unless `revealSecrets` (src/policy/policy-secrets.ts). */
export function toPolicyMessage(v: PolicyVersionRecord, revealSecrets: boolean): MessageInitShape<typeof PolicySchema> {
  const show = revealSecrets ? (yaml: string) => yaml : redactPolicySecrets;
  return {
    policyId: v.policyId,
    tenantId: v.tenantId,
    version: v.version,
    yaml: show(v.sourceYaml),
    effectiveYaml: show(v.effectiveYaml),
    compiledVersion: v.compiledVersion,
    ruleCount: v.rules.length,
    deleted: v.deleted,
    createTime: timestampFromIso(v.createdAt),
    createdBy: v.createdBy,
    change: v.change,
    revision: v.revision,
  };
}

const actorOf = (ctx: CallContext) => ({ subject: ctx.principal.subject });

/** The caller's view of a version: with secrets only for roles granted `policy.secrets.read`. */
const messageFor = (ctx: CallContext) => (v: PolicyVersionRecord) => toPolicyMessage(v, rolesGrant(ctx.principal.roles, 'policy.secrets.read'));

export function policyAdminHandlers(policies: PolicyRepository): ServiceHandlers<typeof PolicyAdminService> {
  return {
    async createPolicy(req, ctx) {
      const policyId = checkPolicyId(req.policyId || declaredPolicyName(req.yaml) || '', req.policyId ? 'policy_id' : 'policy_id (or metadata.name)');
      const created = await policies.create(tenantOf(ctx.principal), { policyId, sourceYaml: req.yaml }, actorOf(ctx));
      return { policy: messageFor(ctx)(created) };
    },

    async getPolicy(req, ctx) {
      return { policy: messageFor(ctx)(await policies.get(tenantOf(ctx.principal), checkPolicyId(req.policyId), req.version)) };
    },

    async listPolicies(req, ctx) {
      const page = await policies.list(tenantOf(ctx.principal), { pageSize: req.pageSize, pageToken: req.pageToken });
      return { policies: page.items.map(messageFor(ctx)), nextPageToken: page.nextPageToken };
    },

    async updatePolicy(req, ctx) {
      if (!req.expectedVersion) throw invalidArgument('expected_version is required: the version the update is based on');
      const updated = await policies.update(
        tenantOf(ctx.principal),
        { policyId: checkPolicyId(req.policyId), sourceYaml: req.yaml, expectedVersion: req.expectedVersion },
        actorOf(ctx),
      );
      return { policy: messageFor(ctx)(updated) };
    },

    async deletePolicy(req, ctx) {
      const tomb = await policies.delete(
        tenantOf(ctx.principal),
        { policyId: checkPolicyId(req.policyId), expectedVersion: req.expectedVersion },
        actorOf(ctx),
      );
      return { policy: messageFor(ctx)(tomb) };
    },

    async validatePolicy(req, ctx) {
      const policyId = checkPolicyId(req.policyId || declaredPolicyName(req.yaml) || '', 'policy_id (or metadata.name)');
      try {
        const result = await policies.validate(tenantOf(ctx.principal), { policyId, sourceYaml: req.yaml, includeRules: req.includeRules });
        return { valid: true, errors: [], compiledVersion: result.compiledVersion };
      } catch (err) {
        if (!(err instanceof PolicyValidationError)) throw err;
        return { valid: false, errors: err.message.split('\n'), compiledVersion: '' };
      }
    },

    async listPolicyVersions(req, ctx) {
      const page = await policies.listVersions(tenantOf(ctx.principal), checkPolicyId(req.policyId), {
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return { versions: page.items.map(messageFor(ctx)), nextPageToken: page.nextPageToken };
    },
  };
}
