-- Scan records and their threat detections. No scanned content is ever stored: a keyed
-- hash chosen by the sidecar, lengths, counts and threat summaries only.
CREATE TABLE scan_records (
  tenant_id        text NOT NULL REFERENCES tenants (tenant_id),
  scan_id          uuid NOT NULL,
  occurred_at      timestamptz NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('INPUT', 'OUTPUT')),
  action           text NOT NULL CHECK (action IN ('ALLOW', 'WARN', 'REDACT', 'BLOCK')),
  request_id       text NOT NULL DEFAULT '' CHECK (length(request_id) <= 128),
  agent_id         text NOT NULL DEFAULT '' CHECK (length(agent_id) <= 128),
  sidecar_id       text NOT NULL DEFAULT '' CHECK (length(sidecar_id) <= 128),
  policy_id        text NOT NULL DEFAULT '' CHECK (length(policy_id) <= 128),
  policy_version   text NOT NULL DEFAULT '' CHECK (length(policy_version) <= 128),
  content_hash     text NOT NULL DEFAULT '' CHECK (length(content_hash) <= 200),
  content_length   integer NOT NULL DEFAULT 0 CHECK (content_length >= 0),
  entity_counts    jsonb NOT NULL DEFAULT '{}',
  threat_count     integer NOT NULL DEFAULT 0,
  latency_ms       double precision NOT NULL CHECK (latency_ms >= 0),
  ingested_at      timestamptz NOT NULL DEFAULT now(),
  -- Idempotent ingest per tenant: a retried batch hits ON CONFLICT DO NOTHING.
  PRIMARY KEY (tenant_id, scan_id)
);
-- Listing pages newest first by (time, id); retention deletes by time.
CREATE INDEX scan_records_tenant_time ON scan_records (tenant_id, occurred_at DESC, scan_id DESC);

CREATE TABLE threat_detections (
  tenant_id       text NOT NULL,
  scan_id         uuid NOT NULL,
  ordinal         integer NOT NULL CHECK (ordinal >= 0),
  -- Copied from the scan so detections filter and page without a join.
  occurred_at     timestamptz NOT NULL,
  direction       text NOT NULL,
  agent_id        text NOT NULL DEFAULT '',
  policy_version  text NOT NULL DEFAULT '',
  threat_type     text NOT NULL CHECK (length(threat_type) <= 64),
  severity        text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  rule_id         text NOT NULL DEFAULT '' CHECK (length(rule_id) <= 128),
  detector        text NOT NULL DEFAULT '' CHECK (length(detector) <= 128),
  entity_type     text NOT NULL DEFAULT '' CHECK (length(entity_type) <= 64),
  finding_count   integer NOT NULL CHECK (finding_count >= 1),
  action          text NOT NULL CHECK (action IN ('ALLOW', 'WARN', 'REDACT', 'BLOCK')),
  PRIMARY KEY (tenant_id, scan_id, ordinal),
  FOREIGN KEY (tenant_id, scan_id) REFERENCES scan_records (tenant_id, scan_id) ON DELETE CASCADE
);
CREATE INDEX threat_detections_tenant_time ON threat_detections (tenant_id, occurred_at DESC, scan_id DESC, ordinal DESC);
CREATE INDEX threat_detections_tenant_type ON threat_detections (tenant_id, threat_type, occurred_at);

ALTER TABLE scan_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE scan_records FORCE ROW LEVEL SECURITY;
CREATE POLICY scan_records_tenant ON scan_records TO bulwark_app
  USING (tenant_id = bulwark_current_tenant()) WITH CHECK (tenant_id = bulwark_current_tenant());

ALTER TABLE threat_detections ENABLE ROW LEVEL SECURITY;
ALTER TABLE threat_detections FORCE ROW LEVEL SECURITY;
CREATE POLICY threat_detections_tenant ON threat_detections TO bulwark_app
  USING (tenant_id = bulwark_current_tenant()) WITH CHECK (tenant_id = bulwark_current_tenant());

-- Records are immutable once stored; DELETE is for the retention purge.
GRANT SELECT, INSERT, DELETE ON scan_records, threat_detections TO bulwark_app;
