-- Checkpoints of sidecars' hash-chained audit logs (bulwark sidecar --audit-log): the chain's
-- head (sequence number and hash) at one moment, never an entry's content. Stored here, where
-- the sidecar's host cannot rewrite them, they reveal a rewritten or truncated log. Rows are
-- immutable: a retried batch is ignored by the primary key.
CREATE TABLE audit_checkpoints (
  tenant_id        text NOT NULL REFERENCES tenants (tenant_id),
  sidecar_id       text NOT NULL CHECK (length(sidecar_id) BETWEEN 1 AND 200),
  seq              bigint NOT NULL CHECK (seq >= 0),
  head_hash        text NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
  checkpoint_time  timestamptz NOT NULL,
  mac              text NOT NULL DEFAULT '' CHECK (mac ~ '^([0-9a-f]{64})?$'),
  received_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, sidecar_id, seq)
);

ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_checkpoints_tenant ON audit_checkpoints TO bulwark_app
  USING (tenant_id = bulwark_current_tenant()) WITH CHECK (tenant_id = bulwark_current_tenant());

-- Append-only: no UPDATE or DELETE for the application.
GRANT SELECT, INSERT ON audit_checkpoints TO bulwark_app;
