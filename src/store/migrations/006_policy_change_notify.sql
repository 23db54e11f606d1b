-- Policy push: every new policy version (policy or guardrail-rule change) NOTIFYs channel
-- `bulwark_policy_changes` with its tenant id. PostgreSQL delivers it at COMMIT, to every
-- control-plane replica listening on the database (PGlite: to the one process), so a
-- replica learns of a change another replica wrote. Notifications can be lost while a
-- listener reconnects; the push service also polls (policy-change-feed.ts).
CREATE FUNCTION bulwark_notify_policy_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('bulwark_policy_changes', NEW.tenant_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER policy_versions_notify AFTER INSERT ON policy_versions
  FOR EACH ROW EXECUTE FUNCTION bulwark_notify_policy_change();
