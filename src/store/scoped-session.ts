/**
 * Every repository query runs inside one of two scopes, never as the connection's own user
 * (which owns the tables and, on this machine and in PGlite, is a superuser that bypasses
 * row-level security):
 *
 * - {@link inTenant}: role `bulwark_app`, with `app.tenant_id` set for this transaction only.
 *   Every tenant table has FORCE ROW LEVEL SECURITY with policies on that setting, so rows
 *   of other tenants are invisible and cannot be written, whatever SQL runs.
 * - {@link asPlatform}: role `bulwark_platform`, which sees the tenants and sidecar tables
 *   and nothing else (no grants on policies or records).
 *
 * Both settings are transaction-local (`set_config(..., true)`), so a pooled connection
 * never carries one tenant's scope into the next transaction.
 */
import type { Database, SqlExecutor } from './database.js';

/** The role tenant-scoped transactions act as (created by migration 001). */
export const APP_ROLE = 'bulwark_app';
/** The role platform transactions act as (created by migration 001). */
export const PLATFORM_ROLE = 'bulwark_platform';

/** Tenant ids: the same rule as the policy format's identifiers (and the tenants table CHECK). */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Runs `fn` in a transaction scoped to `tenantId`. The caller must have taken the tenant
 * from an authenticated token, never from a request body.
 */
export function inTenant<T>(db: Database, tenantId: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  if (!TENANT_ID_PATTERN.test(tenantId)) {
    // Defence in depth: the auth layer already rejects such tokens.
    return Promise.reject(new Error('invalid tenant id'));
  }
  return db.transaction(async (tx) => {
    // One round trip: the role first, then the tenant (SELECT list items run left to right).
    await tx.query(`SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)`, [APP_ROLE, tenantId]);
    return fn(tx);
  });
}

/** Runs `fn` in a transaction as the platform role (tenant registry, sidecar fleet). */
export function asPlatform<T>(db: Database, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('role', $1, true), set_config('app.tenant_id', '', true)`, [PLATFORM_ROLE]);
    return fn(tx);
  });
}
