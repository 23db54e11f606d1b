-- The sidecar fleet, filled by the policy push service: one row per sidecar node, and one
-- per (tenant, node) with the policy version the node acknowledged or rejected.
CREATE TABLE sidecars (
  node_id          text PRIMARY KEY CHECK (length(node_id) BETWEEN 1 AND 200),
  sidecar_version  text NOT NULL DEFAULT '',
  connected        boolean NOT NULL DEFAULT false,
  first_seen_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sidecar_tenants (
  tenant_id              text NOT NULL REFERENCES tenants (tenant_id),
  node_id                text NOT NULL REFERENCES sidecars (node_id) ON DELETE CASCADE,
  acked_policy_version   text NOT NULL DEFAULT '',
  acked_at               timestamptz,
  nacked_policy_version  text NOT NULL DEFAULT '',
  nack_error             text NOT NULL DEFAULT '' CHECK (length(nack_error) <= 2000),
  nacked_at              timestamptz,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, node_id)
);
CREATE INDEX sidecar_tenants_node ON sidecar_tenants (node_id);

ALTER TABLE sidecar_tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE sidecar_tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY sidecar_tenants_tenant ON sidecar_tenants FOR SELECT TO bulwark_app
  USING (tenant_id = bulwark_current_tenant());
CREATE POLICY sidecar_tenants_platform ON sidecar_tenants TO bulwark_platform
  USING (true) WITH CHECK (true);

ALTER TABLE sidecars ENABLE ROW LEVEL SECURITY;
ALTER TABLE sidecars FORCE ROW LEVEL SECURITY;
-- A tenant sees a sidecar only while it serves that tenant. The subquery is itself subject
-- to sidecar_tenants' policy, so it only finds the current tenant's rows.
CREATE POLICY sidecars_serving_tenant ON sidecars FOR SELECT TO bulwark_app
  USING (EXISTS (SELECT 1 FROM sidecar_tenants st WHERE st.node_id = sidecars.node_id));
CREATE POLICY sidecars_platform ON sidecars TO bulwark_platform
  USING (true) WITH CHECK (true);

GRANT SELECT ON sidecars, sidecar_tenants TO bulwark_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sidecars, sidecar_tenants TO bulwark_platform;
