-- Check-ins, their selfie records and violations partitioned by month
-- (docs/scaling.md, "Data growth"): one month of history costs what twelve do,
-- and old months can be kept, moved or (selfies) purged a month at a time.
--
-- The partition key is the day the rows are about, in the unit's time zone:
-- checkins.local_day, violations.day and selfies.day (the local day of the
-- check-in that brought the selfie). It is what the closure, the export, the
-- check-in's own history and the review filter on, and a check-in's
-- violations fall in the same month as the check-in (violations.day is the
-- check-in's local_day), so the foreign key from a violation to its check-in
-- is (checkin_id, day) -> (id, local_day).
--
-- A primary or unique key of a partitioned table must include the key, so:
--   - ids stay unique (one sequence each), but the keys are (id, local_day)
--     and (id, day);
--   - a device's nonce is unique for ever, not per month: checkin_nonces, a
--     plain table, holds every nonce with the check-in that used it, filled by
--     a trigger on checkins whoever inserts; a check-in whose nonce is taken
--     is not stored (as ON CONFLICT DO NOTHING did), so a replay years later
--     is still recognised;
--   - "one ABSENT / NO_CHECKOUT per employee, day and code" includes the day;
--   - a selfie record is (sha256, day): the same bytes brought on two days
--     are two records of one file.
--
-- Months are made by create_month_partitions(first, last), idempotent, which
-- the migration calls for the months of the data there is plus the next two,
-- and the nightly job for this month and the next two (before anything else).
-- A row of a month without a partition lands in the table's DEFAULT partition
-- (checkins_default, ...) rather than being refused: a check-in is evidence,
-- and a phone may hold one for weeks. The default partition is meant to stay
-- empty; the nightly logs how many rows it holds, and create_month_partitions
-- refuses, naming the month, to make a month whose rows sit in the default
-- partition (move them out first: see docs/scaling.md).

-- ---- the old tables step aside ----

ALTER TABLE violation_decisions DROP CONSTRAINT violation_decisions_violation_id_fkey;
ALTER TABLE violations RENAME TO violations_old;
ALTER SEQUENCE violations_id_seq RENAME TO violations_old_id_seq;
ALTER TABLE checkins RENAME TO checkins_old;
ALTER SEQUENCE checkins_id_seq RENAME TO checkins_old_id_seq;
ALTER TABLE selfies RENAME TO selfies_old;
-- Their constraints' and indexes' names are taken by the new tables'.
DO $$
DECLARE
    x record;
BEGIN
    FOR x IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint
              WHERE conrelid IN ('violations_old'::regclass, 'checkins_old'::regclass, 'selfies_old'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', x.tab, x.conname, 'old_' || x.conname);
    END LOOP;
    FOR x IN SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE i.indrelid IN ('violations_old'::regclass, 'checkins_old'::regclass, 'selfies_old'::regclass)
                AND c.relname NOT LIKE 'old\_%'
    LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', x.relname, 'old_' || x.relname);
    END LOOP;
END $$;

-- ---- the partitioned tables ----

CREATE TABLE selfies (
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    day date NOT NULL,
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    size_bytes integer NOT NULL CHECK (size_bytes > 0),
    stored_at timestamptz NOT NULL DEFAULT now(),
    -- When the retention (ATTENDANCE_SELFIE_RETENTION_DAYS) deleted the file;
    -- the record, and the hash in the check-in, stay as evidence.
    purged_at timestamptz,
    PRIMARY KEY (sha256, day)
) PARTITION BY RANGE (day);
-- What the retention has still to purge, oldest first.
CREATE INDEX selfies_unpurged_idx ON selfies (day) WHERE purged_at IS NULL;

CREATE TABLE checkins (
    id bigint GENERATED ALWAYS AS IDENTITY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    unit_id bigint NOT NULL REFERENCES units (id),
    device_id bigint NOT NULL REFERENCES devices (id),
    nonce text NOT NULL,
    type text NOT NULL CHECK (type IN ('in', 'out')),
    mode text NOT NULL CHECK (mode IN ('WFO', 'WFH')),
    captured_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    local_day date NOT NULL, -- captured_at's date in the unit's time zone
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    accuracy_m double precision NOT NULL,
    mock_location boolean NOT NULL,
    inside boolean NOT NULL,
    distance_m double precision NOT NULL,
    place text,
    selfie_sha256 text,
    payload bytea NOT NULL,
    signature bytea NOT NULL,
    PRIMARY KEY (id, local_day),
    FOREIGN KEY (selfie_sha256, local_day) REFERENCES selfies (sha256, day)
) PARTITION BY RANGE (local_day);
CREATE INDEX checkins_employee_day_idx ON checkins (employee_id, local_day);
CREATE INDEX checkins_employee_captured_idx ON checkins (employee_id, captured_at DESC);
CREATE INDEX checkins_unit_day_idx ON checkins (unit_id, local_day);

CREATE TABLE violations (
    id bigint GENERATED ALWAYS AS IDENTITY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    unit_id bigint NOT NULL REFERENCES units (id),
    checkin_id bigint,
    day date NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z_]{3,40}$'),
    evidence jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dismissed', 'confirmed')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, day),
    FOREIGN KEY (checkin_id, day) REFERENCES checkins (id, local_day)
) PARTITION BY RANGE (day);
CREATE INDEX violations_checkin_idx ON violations (checkin_id);
CREATE INDEX violations_employee_day_idx ON violations (employee_id, day);
CREATE INDEX violations_unit_status_idx ON violations (unit_id, status, id);
CREATE UNIQUE INDEX violations_closure_once_idx ON violations (employee_id, day, code)
    WHERE code IN ('ABSENT', 'NO_CHECKOUT');
CREATE INDEX violations_pending_idx ON violations (id) WHERE status = 'pending';
CREATE INDEX violations_unit_id_idx ON violations (unit_id, id);
CREATE INDEX violations_code_id_idx ON violations (code, id);
CREATE INDEX violations_day_idx ON violations (day);

CREATE TABLE selfies_default PARTITION OF selfies DEFAULT;
CREATE TABLE checkins_default PARTITION OF checkins DEFAULT;
CREATE TABLE violations_default PARTITION OF violations DEFAULT;

-- Every nonce a device has used, for ever: the key a partitioned checkins
-- cannot hold. checkin_id and local_day find the check-in in its month.
CREATE TABLE checkin_nonces (
    device_id bigint NOT NULL,
    nonce text NOT NULL,
    checkin_id bigint NOT NULL,
    local_day date NOT NULL,
    PRIMARY KEY (device_id, nonce)
);

-- ---- months ----

-- Makes the monthly partitions of checkins, violations and selfies for the
-- months of first .. last (any days in them) that have none; returns how many
-- it made. Refuses (check_violation) to make a month whose rows sit in a
-- default partition: PostgreSQL would too, less clearly.
CREATE FUNCTION create_month_partitions(first date, last date) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', first)::date;
    t record;
    made integer := 0;
    name text;
    stray bigint;
BEGIN
    IF last - first > 3660 THEN
        RAISE EXCEPTION 'create_month_partitions: % .. % is more than ten years', first, last
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WHILE m <= last LOOP
        FOR t IN SELECT * FROM (VALUES ('selfies', 'day'), ('checkins', 'local_day'), ('violations', 'day')) AS x (tab, key)
        LOOP
            name := t.tab || '_' || to_char(m, 'YYYYMM');
            CONTINUE WHEN to_regclass(name) IS NOT NULL;
            EXECUTE format('SELECT count(*) FROM %I WHERE %I >= $1 AND %I < $2', t.tab || '_default', t.key, t.key)
                INTO stray USING m, (m + interval '1 month')::date;
            IF stray > 0 THEN
                RAISE EXCEPTION '% rows of % in % are in %_default: move them out before making the month',
                    stray, to_char(m, 'YYYY-MM'), t.tab, t.tab USING ERRCODE = 'check_violation';
            END IF;
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', name, t.tab, m,
                           (m + interval '1 month')::date);
            made := made + 1;
        END LOOP;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;

-- The rows in default partitions (0 when every month has its partition).
CREATE FUNCTION default_partition_rows() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM checkins_default) + (SELECT count(*) FROM violations_default)
           + (SELECT count(*) FROM selfies_default)
$$;

SELECT create_month_partitions(
    least((SELECT min(local_day) FROM checkins_old), (SELECT min(day) FROM violations_old),
          (current_date - interval '1 month')::date),
    greatest((SELECT max(local_day) FROM checkins_old), (SELECT max(day) FROM violations_old),
             (current_date + interval '2 months')::date));

-- ---- the data moves ----

-- A selfie record per day that used it (the first such day for a record no check-in used).
INSERT INTO selfies (sha256, day, content_type, size_bytes, stored_at)
SELECT s.sha256, d.day, s.content_type, s.size_bytes, s.stored_at
  FROM selfies_old s
 CROSS JOIN LATERAL (SELECT DISTINCT c.local_day AS day FROM checkins_old c WHERE c.selfie_sha256 = s.sha256
                     UNION ALL
                     SELECT s.stored_at::date WHERE NOT EXISTS (SELECT 1 FROM checkins_old c
                                                                 WHERE c.selfie_sha256 = s.sha256)) AS d;

INSERT INTO checkins OVERRIDING SYSTEM VALUE SELECT * FROM checkins_old;
INSERT INTO checkin_nonces (device_id, nonce, checkin_id, local_day)
SELECT device_id, nonce, id, local_day FROM checkins_old;
INSERT INTO violations OVERRIDING SYSTEM VALUE SELECT * FROM violations_old;

SELECT setval(pg_get_serial_sequence('checkins', 'id'), coalesce((SELECT max(id) FROM checkins_old), 0) + 1, false);
SELECT setval(pg_get_serial_sequence('violations', 'id'), coalesce((SELECT max(id) FROM violations_old), 0) + 1, false);

-- A decision names its violation with the violation's day.
ALTER TABLE violation_decisions ADD COLUMN violation_day date;
UPDATE violation_decisions d SET violation_day = v.day FROM violations_old v WHERE v.id = d.violation_id;
ALTER TABLE violation_decisions ALTER COLUMN violation_day SET NOT NULL,
    ADD FOREIGN KEY (violation_id, violation_day) REFERENCES violations (id, day);

-- violation_doc's argument was the old table's row type.
DROP FUNCTION violation_doc(violations_old);
CREATE FUNCTION violation_doc(v violations) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', v.id::text, 'employee_id', v.employee_id::text, 'unit_id', v.unit_id::text,
        'checkin_id', v.checkin_id::text, 'day', v.day, 'code', v.code, 'evidence', v.evidence,
        'status', v.status, 'version', v.version, 'created_at', v.created_at,
        'decision', (SELECT violation_decision_doc(d) FROM violation_decisions d
                      WHERE d.violation_id = v.id AND d.version = v.version))
$$;

DROP TABLE violations_old;
DROP TABLE checkins_old;
DROP TABLE selfies_old;

-- ---- the nonce of every check-in, whoever inserts it ----

-- Before the row is stored: its nonce is taken for the device, or, if it was
-- taken already, the row is not stored (the insert reports no row, as
-- ON CONFLICT DO NOTHING did). A concurrent insert of the same nonce waits
-- for the first to commit or roll back.
CREATE FUNCTION checkins_take_nonce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO checkin_nonces (device_id, nonce, checkin_id, local_day)
    VALUES (NEW.device_id, NEW.nonce, NEW.id, NEW.local_day)
    ON CONFLICT (device_id, nonce) DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER checkins_take_nonce BEFORE INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkins_take_nonce();

-- A check-in's nonce, device and day never change (the nonce table follows them only at insert).
CREATE FUNCTION checkins_refuse_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.device_id <> OLD.device_id OR NEW.nonce <> OLD.nonce OR NEW.local_day <> OLD.local_day THEN
        RAISE EXCEPTION 'a check-in''s device, nonce and day do not change' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER checkins_refuse_key_change BEFORE UPDATE OF device_id, nonce, local_day ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkins_refuse_key_change();
