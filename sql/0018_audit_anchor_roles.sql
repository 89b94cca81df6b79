-- The audit chain anchored outside the database, its entries' time and actor taken
-- from no column the caller writes, and the application role apart from the owner
-- (docs/security.md, "A leaked database dump" and "The database roles").

-- The append trigger now sets `at` (the database's clock at the append) and the
-- actor: the account the service authenticated, which the service names for the
-- statement with the setting attendance.actor_account_id (store_audit.c), else
-- 'system'. Whatever an INSERT writes in at, actor_account_id or actor is replaced.
CREATE OR REPLACE FUNCTION audit_log_append() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    head audit_chain_head;
BEGIN
    SELECT * INTO STRICT head FROM audit_chain_head FOR UPDATE;
    NEW.at := clock_timestamp();
    NEW.actor_account_id := nullif(current_setting('attendance.actor_account_id', true), '')::bigint;
    NEW.actor := coalesce((SELECT a.username FROM accounts a WHERE a.id = NEW.actor_account_id), 'system');
    NEW.id := head.last_id + 1;
    NEW.prev_hash := head.last_hash;
    NEW.hash := audit_entry_hash(NEW);
    UPDATE audit_chain_head SET last_id = NEW.id, last_hash = NEW.hash;
    RETURN NEW;
END $$;

-- The chain's head when the nightly closed a day, once per day (a second run of
-- the same night finds it and writes the same manifest). The manifest carries
-- last_hash as audit_head; `attendance-svc audit-verify --head HASH` checks that a
-- published head is still an entry of an intact chain.
CREATE TABLE audit_anchors (
    day date PRIMARY KEY,
    last_id bigint NOT NULL,
    last_hash text NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$'),
    anchored_at timestamptz NOT NULL DEFAULT now()
);

-- ---- Two roles: the owner migrates, the application role serves ----
--
-- `attendance-svc migrate` connects as the tables' owner
-- (ATTENDANCE_MIGRATE_DATABASE_URL) and, after the migrations, calls
-- grant_application_role with the role of ATTENDANCE_DATABASE_URL, the one that
-- `serve` and `nightly` use (docs/security.md, "The database roles"): it may read
-- and write the rows, never alter a table, a trigger or a function (it owns
-- none), nor change the audit log (append only) or the migrations' record.

-- Monthly partitions are made by the nightly as the application role: the
-- function runs as the owner, who owns what it makes.
-- (pg_catalog is searched first all the same; pg_temp last, so that no temporary table stands in.)
ALTER FUNCTION create_month_partitions(date, date) SECURITY DEFINER SET search_path = public, pg_temp;

CREATE FUNCTION grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations, audit_chain_head FROM %I', app);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_anchors FROM %I', app);
    -- What the owner makes later (the months' partitions) is granted as it is made.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
                   app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
END $$;
REVOKE EXECUTE ON FUNCTION grant_application_role(name) FROM PUBLIC;
