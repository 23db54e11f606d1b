/** PolicyAdminService: policies of the caller's tenant, each change an immutable version. */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { PolicySchema, PolicyAdminService } from '../../../gen/bulwark/v1/policy_admin_service_pb.js';
import { PolicyValidationError } from '../../policy/policy-error.js';
import type { PolicyVersionRecord } from '../../store/policy-records.js';
import type { PolicyRepository } from '../../store/policy-repository.js';
import { TENANT_ID_PATTERN } from '../../store/scoped-session.js';
import { tenantOf } from '../auth/authorize.js';
import { invalidArgument } from '../grpc/status-errors.js';
import type { CallContext, ServiceHandlers } from '../grpc/unary-service.js';
import { declaredPolicyName } from '../policy-compiler.js';
import { timestampFromIso } from './proto-values.js';

/** Policy ids follow the policy format's identifier rule (same as tenant ids). */
export function checkPolicyId(policyId: string, field = 'policy_id'): string {
  if (!TENANT_ID_PATTERN.test(policyId)) {
    throw invalidArgument(`${field} must be letters, digits, "_", ".", ":" or "-" (at most 128, starting with a letter or digit)`);
  }
  return policyId;
}

export function toPolicyMessage(v: PolicyVersionRecord): MessageInitShape<typeof PolicySchema> {
  return {
    policyId: v.policyId,
    tenantId: v.tenantId,
    version: v.version,
    yaml: v.sourceYaml,
    effectiveYaml: v.effectiveYaml,
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

export function policyAdminHandlers(policies: PolicyRepository): ServiceHandlers<typeof PolicyAdminService> {
  return {
    async createPolicy(req, ctx) {
      const policyId = checkPolicyId(req.policyId || declaredPolicyName(req.yaml) || '', req.policyId ? 'policy_id' : 'policy_id (or metadata.name)');
      const created = await policies.create(tenantOf(ctx.principal), { policyId, sourceYaml: req.yaml }, actorOf(ctx));
      return { policy: toPolicyMessage(created) };
    },

    async getPolicy(req, ctx) {
      return { policy: toPolicyMessage(await policies.get(tenantOf(ctx.principal), checkPolicyId(req.policyId), req.version)) };
    },

    async listPolicies(req, ctx) {
      const page = await policies.list(tenantOf(ctx.principal), { pageSize: req.pageSize, pageToken: req.pageToken });
      return { policies: page.items.map(toPolicyMessage), nextPageToken: page.nextPageToken };
    },

    async updatePolicy(req, ctx) {
      if (!req.expectedVersion) throw invalidArgument('expected_version is required: the version the update is based on');
      const updated = await policies.update(
        tenantOf(ctx.principal),
        { policyId: checkPolicyId(req.policyId), sourceYaml: req.yaml, expectedVersion: req.expectedVersion },
        actorOf(ctx),
      );
      return { policy: toPolicyMessage(updated) };
    },

    async deletePolicy(req, ctx) {
      const tomb = await policies.delete(
        tenantOf(ctx.principal),
        { policyId: checkPolicyId(req.policyId), expectedVersion: req.expectedVersion },
        actorOf(ctx),
      );
      return { policy: toPolicyMessage(tomb) };
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
      return { versions: page.items.map(toPolicyMessage), nextPageToken: page.nextPageToken };
    },
  };
}
