/** Who is calling, as established from a verified token. */
import type { Role } from './roles.js';

export interface Principal {
  /** The token's `sub` ('' when absent); recorded on policy versions. */
  subject: string;
  /** The token's `tenant_id`; undefined only for platform-admin tokens without one. */
  tenantId: string | undefined;
  /** Known roles from the `roles` claim; unknown role names are ignored. */
  roles: ReadonlySet<Role>;
  /**
   * For the sidecar role: further tenants (the `tenants` claim) whose records this principal
   * may ingest, besides `tenantId`. A sidecar serving several tenants needs one token only.
   */
  ingestTenants: ReadonlySet<string>;
}
