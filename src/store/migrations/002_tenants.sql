-- The tenant registry. Records, policies and sidecar statuses reference it, so data of an
-- unregistered tenant cannot exist (and could never be purged by retention).
CREATE TABLE tenants (
  tenant_id       text PRIMARY KEY CHECK (tenant_id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$'),
  display_name    text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  retention_days  integer NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 1 AND 3650),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The sidecar's built-in policy set always has tenant "default".
INSERT INTO tenants (tenant_id, display_name) VALUES ('default', 'Default tenant');

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
-- A tenant session may read its own row (e.g. its retention period), nothing else.
CREATE POLICY tenants_own_row ON tenants FOR SELECT TO bulwark_app
  USING (tenant_id = bulwark_current_tenant());
CREATE POLICY tenants_platform ON tenants TO bulwark_platform
  USING (true) WITH CHECK (true);
GRANT SELECT ON tenants TO bulwark_app;
GRANT SELECT, INSERT, UPDATE ON tenants TO bulwark_platform;
