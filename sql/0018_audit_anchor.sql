-- The audit chain anchored outside the database, and its entries' time and actor
-- taken from no column the caller writes (docs/security.md, "The audit chain").

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
