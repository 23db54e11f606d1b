/** TenantService: the tenant registry, for platform-admin tokens only. */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { TenantSchema, TenantService } from '../../../gen/bulwark/v1/tenant_service_pb.js';
import type { TenantRecord, TenantRepository } from '../../store/tenant-repository.js';
import { invalidArgument } from '../grpc/status-errors.js';
import type { ServiceHandlers } from '../grpc/unary-service.js';
import { timestampFromIso } from './proto-values.js';

function toTenantMessage(t: TenantRecord): MessageInitShape<typeof TenantSchema> {
  return { tenantId: t.tenantId, displayName: t.displayName, retentionDays: t.retentionDays, createTime: timestampFromIso(t.createdAt) };
}

export function tenantHandlers(tenants: TenantRepository): ServiceHandlers<typeof TenantService> {
  return {
    async createTenant(req) {
      return { tenant: toTenantMessage(await tenants.create({ tenantId: req.tenantId, displayName: req.displayName, retentionDays: req.retentionDays })) };
    },

    async getTenant(req) {
      if (!req.tenantId) throw invalidArgument('tenant_id is required');
      return { tenant: toTenantMessage(await tenants.get(req.tenantId)) };
    },

    async listTenants(req) {
      const page = await tenants.list({ pageSize: req.pageSize, pageToken: req.pageToken });
      return { tenants: page.items.map(toTenantMessage), nextPageToken: page.nextPageToken };
    },

    async updateTenant(req) {
      if (!req.tenantId) throw invalidArgument('tenant_id is required');
      return { tenant: toTenantMessage(await tenants.update(req.tenantId, { displayName: req.displayName, retentionDays: req.retentionDays })) };
    },
  };
}
