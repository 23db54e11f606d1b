/** The authorisation decision for one call: the permission table applied to a principal. */
import { AuthError } from './auth-error.js';
import type { Principal } from './principal.js';
import { PLATFORM_PERMISSIONS, rolesGrant, type Permission } from './roles.js';

/**
 * Throws PERMISSION_DENIED unless the principal's roles grant `permission`. Tenant
 * permissions additionally need the token's tenant (a platform-admin token without one
 * cannot read tenant data, whatever other roles it lists).
 */
export function authorize(principal: Principal, permission: Permission): void {
  if (!rolesGrant(principal.roles, permission)) {
    throw new AuthError('permission-denied', `the token's roles do not allow ${permission}`);
  }
  if (!PLATFORM_PERMISSIONS.has(permission) && principal.tenantId === undefined) {
    throw new AuthError('permission-denied', `${permission} needs a token with a tenant_id`);
  }
}

/** The tenant a tenant-scoped call acts on: always the token's, never the request's. */
export function tenantOf(principal: Principal): string {
  if (principal.tenantId === undefined) throw new AuthError('permission-denied', 'this call needs a token with a tenant_id');
  return principal.tenantId;
}

/** Extracts the token from an `authorization: Bearer <jwt>` header value. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw new AuthError('unauthenticated', 'missing "authorization: Bearer <token>" metadata');
  const match = /^Bearer\s+([A-Za-z0-9_\-.]+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AuthError('unauthenticated', 'the authorization metadata is not "Bearer <token>"');
  return match[1];
}
