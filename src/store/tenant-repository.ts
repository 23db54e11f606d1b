/** The tenant registry (platform scope): create, read, list and change retention. */
import type { Database, SqlExecutor } from './database.js';
import { decodePageToken, effectivePageSize, queryFingerprint, toPage, type Page } from './page-token.js';
import { asPlatform, inTenant, TENANT_ID_PATTERN } from './scoped-session.js';
import { StoreError, UNIQUE_VIOLATION, sqlState, translateConstraintError } from './store-error.js';
import { toNumber } from './sql-values.js';

/** A registered tenant. */
export interface TenantRecord {
  tenantId: string;
  displayName: string;
  retentionDays: number;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** Retention used when a tenant is created without one. */
export const DEFAULT_RETENTION_DAYS = 30;
export const MAX_RETENTION_DAYS = 3650;

const COLUMNS = `tenant_id, display_name, retention_days, bulwark_iso(created_at) AS created_at`;

interface TenantRow {
  tenant_id: string;
  display_name: string;
  retention_days: unknown;
  created_at: string;
}

function toTenant(row: TenantRow): TenantRecord {
  return { tenantId: row.tenant_id, displayName: row.display_name, retentionDays: toNumber(row.retention_days), createdAt: row.created_at };
}

function checkRetention(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new StoreError('invalid-argument', `retention_days must be between 1 and ${MAX_RETENTION_DAYS}`);
  }
}

function checkDisplayName(name: string): void {
  if (name.length > 200) throw new StoreError('invalid-argument', 'display_name must be at most 200 characters');
}

async function selectTenant(tx: SqlExecutor, tenantId: string): Promise<TenantRecord> {
  const { rows } = await tx.query<TenantRow>(`SELECT ${COLUMNS} FROM tenants WHERE tenant_id = $1`, [tenantId]);
  const row = rows[0];
  if (!row) throw new StoreError('not-found', `tenant "${tenantId}" does not exist`);
  return toTenant(row);
}

export class TenantRepository {
  constructor(private readonly db: Database) {}

  async create(input: { tenantId: string; displayName?: string; retentionDays?: number }): Promise<TenantRecord> {
    if (!TENANT_ID_PATTERN.test(input.tenantId)) {
      throw new StoreError('invalid-argument', 'tenant_id must be letters, digits, "_", ".", ":" or "-" (at most 128, starting with a letter or digit)');
    }
    const retention = input.retentionDays || DEFAULT_RETENTION_DAYS;
    checkRetention(retention);
    checkDisplayName(input.displayName ?? '');
    try {
      return await asPlatform(this.db, async (tx) => {
        const { rows } = await tx.query<TenantRow>(
          `INSERT INTO tenants (tenant_id, display_name, retention_days) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
          [input.tenantId, input.displayName ?? '', retention],
        );
        return toTenant(rows[0] as TenantRow);
      });
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new StoreError('already-exists', `tenant "${input.tenantId}" already exists`);
      translateConstraintError(err);
    }
  }

  async get(tenantId: string): Promise<TenantRecord> {
    return asPlatform(this.db, (tx) => selectTenant(tx, tenantId));
  }

  /** The caller's own tenant row, read in tenant scope (what a tenant session may see). */
  async getOwn(tenantId: string): Promise<TenantRecord> {
    return inTenant(this.db, tenantId, (tx) => selectTenant(tx, tenantId));
  }

  async list(options: { pageSize?: number; pageToken?: string } = {}): Promise<Page<TenantRecord>> {
    const size = effectivePageSize(options.pageSize);
    const fingerprint = queryFingerprint({ list: 'tenants' });
    const after = decodePageToken(options.pageToken, fingerprint, 1);
    return asPlatform(this.db, async (tx) => {
      const { rows } = await tx.query<TenantRow>(
        `SELECT ${COLUMNS} FROM tenants WHERE ($1::text IS NULL OR tenant_id > $1) ORDER BY tenant_id LIMIT $2`,
        [after?.[0] ?? null, size + 1],
      );
      return toPage(rows, size, toTenant, (r) => [r.tenant_id], fingerprint);
    });
  }

  async update(tenantId: string, patch: { displayName?: string; retentionDays?: number }): Promise<TenantRecord> {
    if (patch.retentionDays !== undefined) checkRetention(patch.retentionDays);
    if (patch.displayName !== undefined) checkDisplayName(patch.displayName);
    return asPlatform(this.db, async (tx) => {
      const { rows } = await tx.query<TenantRow>(
        `UPDATE tenants SET display_name = COALESCE($2, display_name), retention_days = COALESCE($3, retention_days), updated_at = now()
         WHERE tenant_id = $1 RETURNING ${COLUMNS}`,
        [tenantId, patch.displayName ?? null, patch.retentionDays ?? null],
      );
      const row = rows[0];
      if (!row) throw new StoreError('not-found', `tenant "${tenantId}" does not exist`);
      return toTenant(row);
    });
  }

  /** Every tenant id (for the retention purge, which then works tenant by tenant). */
  async listIds(): Promise<string[]> {
    return asPlatform(this.db, async (tx) => {
      const { rows } = await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM tenants ORDER BY tenant_id');
      return rows.map((r) => r.tenant_id);
    });
  }
}
