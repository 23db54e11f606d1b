/**
 * Roles, permissions and the permission each RPC needs: the authorisation table of the
 * control plane, in one place (docs/control-plane.md renders the same table).
 *
 * | permission        | viewer | editor | admin | sidecar | platform-admin |
 * |-------------------|:------:|:------:|:-----:|:-------:|:--------------:|
 * | policy.read       |   ✓    |   ✓    |   ✓   |         |                |
 * | records.read      |   ✓    |   ✓    |   ✓   |         |                |
 * | metrics.read      |   ✓    |   ✓    |   ✓   |         |                |
 * | policy.write      |        |   ✓    |   ✓   |         |                |
 * | policy.delete     |        |        |   ✓   |         |                |
 * | policy.secrets.read |      |        |   ✓   |         |                |
 * | fleet.read        |        |        |   ✓   |         |                |
 * | records.ingest    |        |        |   ✓   |    ✓    |                |
 * | policy.subscribe  |        |        |       |    ✓    |                |
 * | tenants.manage    |        |        |       |         |       ✓        |
 *
 * platform-admin is deliberately not a superset of admin: managing the tenant registry does
 * not grant access to any tenant's policies or records (a token may carry both roles).
 */

export const ROLES = ['viewer', 'editor', 'admin', 'sidecar', 'platform-admin'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'policy.read'
  | 'policy.write'
  | 'policy.delete'
  /** Not an RPC: whether policy reads show secrets (spec.hashSalt) instead of a redaction marker. */
  | 'policy.secrets.read'
  | 'records.read'
  | 'metrics.read'
  | 'fleet.read'
  | 'records.ingest'
  | 'policy.subscribe'
  | 'tenants.manage';

const VIEWER: readonly Permission[] = ['policy.read', 'records.read', 'metrics.read'];
const EDITOR: readonly Permission[] = [...VIEWER, 'policy.write'];
const ADMIN: readonly Permission[] = [...EDITOR, 'policy.delete', 'policy.secrets.read', 'fleet.read', 'records.ingest'];

/** What each role may do. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: VIEWER,
  editor: EDITOR,
  admin: ADMIN,
  sidecar: ['records.ingest', 'policy.subscribe'],
  'platform-admin': ['tenants.manage'],
};

/** Permissions that act across tenants; every other permission needs the token's tenant. */
export const PLATFORM_PERMISSIONS: ReadonlySet<Permission> = new Set(['tenants.manage']);

/** The permission each RPC needs, by gRPC path ("/package.Service/Method"). */
export const RPC_PERMISSIONS: Readonly<Record<string, Permission>> = {
  '/bulwark.v1.PolicyAdminService/CreatePolicy': 'policy.write',
  '/bulwark.v1.PolicyAdminService/GetPolicy': 'policy.read',
  '/bulwark.v1.PolicyAdminService/ListPolicies': 'policy.read',
  '/bulwark.v1.PolicyAdminService/UpdatePolicy': 'policy.write',
  '/bulwark.v1.PolicyAdminService/DeletePolicy': 'policy.delete',
  '/bulwark.v1.PolicyAdminService/ValidatePolicy': 'policy.read',
  '/bulwark.v1.PolicyAdminService/ListPolicyVersions': 'policy.read',
  '/bulwark.v1.GuardrailRuleService/CreateGuardrailRule': 'policy.write',
  '/bulwark.v1.GuardrailRuleService/GetGuardrailRule': 'policy.read',
  '/bulwark.v1.GuardrailRuleService/ListGuardrailRules': 'policy.read',
  '/bulwark.v1.GuardrailRuleService/UpdateGuardrailRule': 'policy.write',
  '/bulwark.v1.GuardrailRuleService/DeleteGuardrailRule': 'policy.delete',
  '/bulwark.v1.RecordService/ListScanRecords': 'records.read',
  '/bulwark.v1.RecordService/ListThreatDetections': 'records.read',
  '/bulwark.v1.RecordService/ListAuditCheckpoints': 'records.read',
  '/bulwark.v1.MetricsService/GetTenantMetrics': 'metrics.read',
  '/bulwark.v1.FleetService/ListSidecars': 'fleet.read',
  '/bulwark.v1.RecordIngestService/IngestScanRecords': 'records.ingest',
  '/bulwark.v1.RecordIngestService/IngestAuditCheckpoints': 'records.ingest',
  '/bulwark.v1.TenantService/CreateTenant': 'tenants.manage',
  '/bulwark.v1.TenantService/GetTenant': 'tenants.manage',
  '/bulwark.v1.TenantService/ListTenants': 'tenants.manage',
  '/bulwark.v1.TenantService/UpdateTenant': 'tenants.manage',
};

/**
 * The permission of each streaming RPC. Kept apart from {@link RPC_PERMISSIONS}, which lists
 * exactly the unary RPCs that `authorizedUnaryCalls` serves (gRPC and Connect); a streaming service checks its own.
 */
export const STREAM_RPC_PERMISSIONS: Readonly<Record<string, Permission>> = {
  '/bulwark.v1.PolicySyncService/StreamPolicies': 'policy.subscribe',
};

/** Whether any of `roles` grants `permission`. */
export function rolesGrant(roles: Iterable<Role>, permission: Permission): boolean {
  for (const role of roles) if (ROLE_PERMISSIONS[role].includes(permission)) return true;
  return false;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
