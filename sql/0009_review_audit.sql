-- The review of violations (reviewers' decisions, every revision kept) and the
-- tamper-evident audit log (a hash chain that only grows).

-- ---- Decisions ----

-- Every decision on a violation, revisions included: the violation's status
-- and version are those of its latest decision (version 1: never decided).
-- version is the violation's version this decision made.
CREATE TABLE violation_decisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    violation_id bigint NOT NULL REFERENCES violations (id),
    version integer NOT NULL CHECK (version >= 2),
    decision text NOT NULL CHECK (decision IN ('dismissed', 'confirmed')),
    -- PP 94/2021's sanctions, as DOMAIN.md names them.
    sanction text CHECK (sanction IN ('teguran_lisan', 'teguran_tertulis', 'pernyataan_tidak_puas',
        'potong_tukin_6_bulan', 'potong_tukin_9_bulan', 'potong_tukin_12_bulan', 'penurunan_jabatan',
        'pembebasan_jabatan', 'pemberhentian')),
    note text CHECK (length(note) <= 2000),
    decided_by bigint NOT NULL REFERENCES accounts (id),
    decided_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (violation_id, version),
    CHECK ((decision = 'confirmed') = (sanction IS NOT NULL))
);

-- The review console's filters, each an index that also reads the newest
-- first (ORDER BY id DESC): pending (the queue: a small partial index), unit
-- (with status: violations_unit_status_idx of 0004), code, and day (a span of
-- days is read by day and sorted). See docs/performance.md, "Violation listing".
CREATE INDEX violations_pending_idx ON violations (id) WHERE status = 'pending';
CREATE INDEX violations_unit_id_idx ON violations (unit_id, id);
CREATE INDEX violations_code_id_idx ON violations (code, id);
CREATE INDEX violations_day_idx ON violations (day);

CREATE FUNCTION violation_decision_doc(d violation_decisions) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'version', d.version, 'decision', d.decision, 'sanction', d.sanction, 'note', d.note,
        'decided_by', d.decided_by::text,
        'decided_by_username', (SELECT a.username FROM accounts a WHERE a.id = d.decided_by),
        'decided_at', d.decided_at)
$$;

-- A violation as lists show it; decision is its latest decision (null while pending).
CREATE FUNCTION violation_doc(v violations) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', v.id::text, 'employee_id', v.employee_id::text, 'unit_id', v.unit_id::text,
        'checkin_id', v.checkin_id::text, 'day', v.day, 'code', v.code, 'evidence', v.evidence,
        'status', v.status, 'version', v.version, 'created_at', v.created_at,
        'decision', (SELECT violation_decision_doc(d) FROM violation_decisions d
                      WHERE d.violation_id = v.id AND d.version = v.version))
$$;

-- ---- The audit log as a hash chain ----
--
-- Each entry carries prev_hash, the hash of the entry before it (64 zeros for
-- the first), and hash, the SHA-256 of its canonical text (audit_entry_text):
-- "audit_log/1" and a line feed, then, in this order, id, at (microseconds
-- since the epoch), actor_account_id, actor, action, entity, entity_id,
-- before, after (jsonb's text) and prev_hash, each written as "-" when NULL
-- and as "<bytes>:<text>" otherwise. `attendance-svc audit-verify` rebuilds that text in C and
-- recomputes every hash, so a function replaced here cannot vouch for itself.
--
-- Appends are serialised by audit_chain_head, a one-row table that the BEFORE
-- INSERT trigger locks (until the inserting transaction ends), so the chain
-- never forks: under the lock the trigger numbers the entry (the head's id + 1,
-- so ids follow the chain) and links it to the head. A rolled-back transaction
-- rolls the head back with it. The unique index on prev_hash makes a fork
-- impossible even without the lock.

ALTER TABLE audit_log ADD COLUMN prev_hash text, ADD COLUMN hash text;
-- Ids are given by the chain's trigger, in chain order, not by a sequence that
-- concurrent writers draw from in another order than they append.
ALTER TABLE audit_log ALTER COLUMN id DROP IDENTITY;

CREATE TABLE audit_chain_head (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    last_id bigint NOT NULL,
    last_hash text NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$')
);

CREATE FUNCTION audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END
$$;

CREATE FUNCTION audit_entry_text(a audit_log) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT E'audit_log/1\n' || audit_field(a.id::text)
        || audit_field(((extract(epoch FROM a.at) * 1000000)::bigint)::text)
        || audit_field(a.actor_account_id::text) || audit_field(a.actor) || audit_field(a.action)
        || audit_field(a.entity) || audit_field(a.entity_id) || audit_field(a.before::text)
        || audit_field(a.after::text) || audit_field(a.prev_hash)
$$;

CREATE FUNCTION audit_entry_hash(a audit_log) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(audit_entry_text(a), 'UTF8')), 'hex')
$$;

-- Existing entries, in id order.
DO $$
DECLARE
    e audit_log;
    prev text := repeat('0', 64);
BEGIN
    FOR e IN SELECT * FROM audit_log ORDER BY id LOOP
        e.prev_hash := prev;
        prev := audit_entry_hash(e);
        UPDATE audit_log SET prev_hash = e.prev_hash, hash = prev WHERE id = e.id;
    END LOOP;
    INSERT INTO audit_chain_head (last_id, last_hash)
    VALUES (coalesce((SELECT max(id) FROM audit_log), 0), prev);
END $$;

ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL,
    ADD CHECK (prev_hash ~ '^[0-9a-f]{64}$'), ADD CHECK (hash ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX audit_log_prev_hash_idx ON audit_log (prev_hash);

-- SECURITY DEFINER: where the service's role is not the tables' owner, it needs
-- INSERT on audit_log only, and no privilege on the head.
CREATE FUNCTION audit_log_append() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
DECLARE
    head audit_chain_head;
BEGIN
    SELECT * INTO STRICT head FROM audit_chain_head FOR UPDATE;
    NEW.id := head.last_id + 1;
    NEW.prev_hash := head.last_hash;
    NEW.hash := audit_entry_hash(NEW);
    UPDATE audit_chain_head SET last_id = NEW.id, last_hash = NEW.hash;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append();

-- Append-only, two locks: this trigger refuses any change to an entry, even
-- by the owner; and the privileges to change entries are revoked (from the
-- owner too: it must grant them back to itself before it could try).
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_refuse_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_refuse_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_chain_head_refuse_change BEFORE INSERT OR DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
-- The head moves only with an append (from inside audit_log_append, a trigger).
CREATE FUNCTION audit_chain_head_refuse_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'the audit chain''s head moves only when an entry is appended'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_chain_head_refuse_move BEFORE UPDATE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_refuse_move();
CREATE TRIGGER audit_chain_head_refuse_truncate BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC, CURRENT_USER;
REVOKE INSERT, DELETE, TRUNCATE ON audit_chain_head FROM PUBLIC, CURRENT_USER;
-- And from any other role granted them (the service's, where it is not the owner).
DO $$
DECLARE
    grantee_name name;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
          JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.oid = 'audit_log'::regclass AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', grantee_name);
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION audit_doc(a audit_log) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id::text, 'at', a.at, 'actor', a.actor, 'actor_account_id', a.actor_account_id::text,
        'action', a.action, 'entity', a.entity, 'entity_id', a.entity_id, 'before', a.before, 'after', a.after,
        'prev_hash', a.prev_hash, 'hash', a.hash)
$$;
