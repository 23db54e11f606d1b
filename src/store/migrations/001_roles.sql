-- Roles the control plane acts as (see src/store/scoped-session.ts). They own nothing and
-- cannot log in; the connection user switches to them per transaction (SET LOCAL ROLE).
-- Roles are cluster-wide: another database on the same server may have created them
-- already, possibly at this very moment, so both "exists" errors are expected.
DO $$
BEGIN
  BEGIN
    CREATE ROLE bulwark_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  BEGIN
    CREATE ROLE bulwark_platform NOLOGIN NOSUPERUSER NOBYPASSRLS;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  -- A non-superuser connection user needs membership to SET ROLE (superusers have it implicitly).
  IF NOT pg_has_role(current_user, 'bulwark_app', 'MEMBER') THEN
    EXECUTE format('GRANT bulwark_app TO %I', current_user);
  END IF;
  IF NOT pg_has_role(current_user, 'bulwark_platform', 'MEMBER') THEN
    EXECUTE format('GRANT bulwark_platform TO %I', current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO bulwark_app, bulwark_platform;

-- The tenant of the current transaction ('' or NULL outside inTenant: matches no row).
CREATE OR REPLACE FUNCTION bulwark_current_tenant() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT current_setting('app.tenant_id', true) $$;

-- Timestamps leave the database as ISO-8601 UTC text with microseconds, independent of the
-- session's TimeZone and DateStyle: exact for page tokens, and the same on both engines.
CREATE OR REPLACE FUNCTION bulwark_iso(ts timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;
