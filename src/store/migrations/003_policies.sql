-- Policies and their immutable versions. `policies` is the mutable head (current version
-- number, deleted flag); `policy_versions` is append-only history, one row per change.
CREATE TABLE policies (
  tenant_id        text NOT NULL REFERENCES tenants (tenant_id),
  policy_id        text NOT NULL CHECK (policy_id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$'),
  current_version  integer NOT NULL CHECK (current_version >= 1),
  deleted          boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, policy_id)
);

CREATE TABLE policy_versions (
  tenant_id         text NOT NULL,
  policy_id         text NOT NULL,
  version           integer NOT NULL CHECK (version >= 1),
  -- Control-plane-wide change number; within a tenant, revisions commit in order because
  -- policy writers hold a per-tenant advisory lock (policy-version-writer.ts).
  revision          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  change            text NOT NULL CHECK (change IN ('create', 'update', 'delete', 'rule-create', 'rule-update', 'rule-delete')),
  deleted           boolean NOT NULL DEFAULT false,
  -- The document as the user wrote it (without guardrail rules).
  source_yaml       text NOT NULL,
  -- The guardrail rules at this version (a snapshot, so the version is self-contained).
  rules             jsonb NOT NULL DEFAULT '[]',
  -- What the sidecar enforces: source + rules merged, tenant and name set.
  effective_yaml    text NOT NULL,
  -- The compiled policy's version hash as the sidecar computes it ("sha256:...").
  compiled_version  text NOT NULL,
  created_by        text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, policy_id, version),
  FOREIGN KEY (tenant_id, policy_id) REFERENCES policies (tenant_id, policy_id)
);
CREATE INDEX policy_versions_tenant_revision ON policy_versions (tenant_id, revision);

-- Versions are immutable for everyone, the table owner included.
CREATE FUNCTION bulwark_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER policy_versions_immutable BEFORE UPDATE OR DELETE ON policy_versions
  FOR EACH ROW EXECUTE FUNCTION bulwark_reject_change();

-- Guardrail rules attached to a policy; merged into the policy when it is compiled.
CREATE TABLE guardrail_rules (
  tenant_id       text NOT NULL,
  policy_id       text NOT NULL,
  rule_id         text NOT NULL CHECK (rule_id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$'),
  kind            text NOT NULL CHECK (kind IN ('deny_pattern', 'deny_phrases', 'allow_pattern')),
  pattern         text NOT NULL DEFAULT '',
  phrases         text[] NOT NULL DEFAULT '{}',
  action          text NOT NULL DEFAULT '' CHECK (action IN ('', 'ALLOW', 'WARN', 'REDACT', 'BLOCK')),
  severity        text NOT NULL DEFAULT '' CHECK (severity IN ('', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  directions      text[] NOT NULL DEFAULT '{}',
  case_sensitive  boolean NOT NULL DEFAULT false,
  description     text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, policy_id, rule_id),
  FOREIGN KEY (tenant_id, policy_id) REFERENCES policies (tenant_id, policy_id) ON DELETE CASCADE
);

ALTER TABLE policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE policies FORCE ROW LEVEL SECURITY;
CREATE POLICY policies_tenant ON policies TO bulwark_app
  USING (tenant_id = bulwark_current_tenant()) WITH CHECK (tenant_id = bulwark_current_tenant());

ALTER TABLE policy_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY policy_versions_tenant ON policy_versions TO bulwark_app
  USING (tenant_id = bulwark_current_tenant()) WITH CHECK (tenant_id = bulwark_current_tenant());

ALTER TABLE guardrail_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE guardrail_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY guardrail_rules_tenant ON guardrail_rules TO bulwark_app
  USING (tenant_id = bulwark_current_tenant()) WITH CHECK (tenant_id = bulwark_current_tenant());

GRANT SELECT, INSERT, UPDATE ON policies TO bulwark_app;
-- Append-only: no UPDATE or DELETE grant (and the trigger above).
GRANT SELECT, INSERT ON policy_versions TO bulwark_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON guardrail_rules TO bulwark_app;
