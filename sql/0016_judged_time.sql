-- The record judged on times the service can trust (CONTRACT.md, "Additions of
-- December 2026", "The record is judged on times the service can trust";
-- docs/security.md, "A phone that lies about its clock").
--
-- A check-in is now judged on its judged time: the phone's captured_at when it
-- lies within the unit's sync_tolerance_s before the moment the service
-- received it, else that moment (rules/checkin_rules.c,
-- checkin_judged_at_ms). Its local_day is the judged time's day. The rules
-- that decide it run in C at check-in; what they decided is stored with the
-- row, and every reader (the closure, the unit's day, the export, the
-- discipline summary) reads it through day_attendance below: no reader
-- repeats a rule.
--
-- Check-ins stored before this migration were judged on captured_at, and every
-- "in" was an arrival; their verdicts (the violations stored with them, the
-- closures already run) stand, so they are filled as they were judged:
-- judged_at = captured_at and counts_for_day = true. Re-judging them on
-- received_at could move a row to another day (local_day is the partition
-- key and the nonce's address) and contradict the flags already decided.
-- after_closure is false for them: nothing recorded when a day was closed
-- before closed_days, below, existed.

-- ---- the unit's tolerance ----

ALTER TABLE units ADD COLUMN sync_tolerance_s integer NOT NULL DEFAULT 120
    CHECK (sync_tolerance_s BETWEEN 0 AND 315360000); -- ten years: see http/h_units.c

CREATE OR REPLACE FUNCTION unit_doc(u units) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id::text, 'code', u.code, 'name', u.name, 'category', u.category,
        'timezone', u.timezone, 'parent_id', u.parent_id::text, 'agency_id', u.agency_id::text,
        'work_hours', u.work_hours, 'grace_minutes', u.grace_minutes,
        'sync_tolerance_s', u.sync_tolerance_s, 'created_at', u.created_at)
$$;

-- ---- what a check-in was judged by ----

ALTER TABLE checkins ADD COLUMN judged_at timestamptz;
UPDATE checkins SET judged_at = captured_at;
ALTER TABLE checkins ALTER COLUMN judged_at SET NOT NULL;
-- May it be the day's arrival (an "in") or departure (an "out")? Not when it
-- failed its place check (OUTSIDE_GEOFENCE, OUTSIDE_HOME, NO_HOME_REGISTERED,
-- MOCK_LOCATION) or arrived after its day was closed.
ALTER TABLE checkins ADD COLUMN counts_for_day boolean NOT NULL DEFAULT true;
ALTER TABLE checkins ALTER COLUMN counts_for_day DROP DEFAULT;
-- Its judged day had been closed by the nightly when it arrived (flagged LATE_SYNC).
ALTER TABLE checkins ADD COLUMN after_closure boolean NOT NULL DEFAULT false;
ALTER TABLE checkins ALTER COLUMN after_closure DROP DEFAULT;

-- The day's arrival and departure of each employee, by judged time: the first
-- and the last "in" and the last "out" that count for the day. Read with the
-- employee and the day given (the planner pushes both into the scan of
-- checkins_employee_day_idx).
CREATE VIEW day_attendance AS
SELECT c.employee_id, c.local_day,
       min(c.judged_at) FILTER (WHERE c.type = 'in') AS arrival_at,
       (array_agg(c.id ORDER BY c.judged_at, c.id) FILTER (WHERE c.type = 'in'))[1] AS arrival_id,
       max(c.judged_at) FILTER (WHERE c.type = 'in') AS last_in_at,
       (array_agg(c.id ORDER BY c.judged_at DESC, c.id DESC) FILTER (WHERE c.type = 'in'))[1] AS last_in_id,
       (array_agg(c.unit_id ORDER BY c.judged_at DESC, c.id DESC) FILTER (WHERE c.type = 'in'))[1]
           AS last_in_unit_id,
       max(c.judged_at) FILTER (WHERE c.type = 'out') AS departure_at,
       (array_agg(c.id ORDER BY c.judged_at DESC, c.id DESC) FILTER (WHERE c.type = 'out'))[1] AS departure_id
  FROM checkins c
 WHERE c.counts_for_day
 GROUP BY c.employee_id, c.local_day;

-- A check-in's three times as the 201, its replay and the review show them:
-- in the unit's zone, to the second.
CREATE FUNCTION checkin_times_doc(captured timestamptz, received timestamptz, judged timestamptz, unit bigint)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('captured_at', local_rfc3339(captured, u.timezone),
                             'received_at', local_rfc3339(received, u.timezone),
                             'judged_at', local_rfc3339(judged, u.timezone))
      FROM units u WHERE u.id = unit
$$;

-- ---- closed days ----

-- The days the nightly closure has closed, unit by unit: from closed_at on, a
-- check-in judged on that day changes nothing the closure decided.
CREATE TABLE closed_days (
    unit_id bigint NOT NULL REFERENCES units (id),
    day date NOT NULL,
    closed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, day)
);
-- What can be known of the closures before this table: a unit's day on which
-- the closure flagged someone ABSENT or NO_CHECKOUT was closed by then. A day
-- closed with nothing to flag left no trace and stays open here.
INSERT INTO closed_days (unit_id, day, closed_at)
SELECT unit_id, day, min(created_at) FROM violations
 WHERE code IN ('ABSENT', 'NO_CHECKOUT') GROUP BY unit_id, day;
-- A check-in is judged by whether its day is closed: closing days ends the
-- cached facts, as any change of the setup does (sql/0006).
CREATE TRIGGER closed_days_bump_setup_generation AFTER INSERT OR UPDATE OR DELETE ON closed_days
    FOR EACH STATEMENT EXECUTE FUNCTION setup_generation_bump();

-- ---- selfies used before ----

-- The first check-in that attached each selfie (by SHA-256), for
-- SELFIE_REUSED: one look-up, whatever the months kept. Filled by a trigger
-- whoever inserts; kept when the retention purges the file (the hash is
-- evidence).
CREATE TABLE selfie_uses (
    sha256 text PRIMARY KEY,
    checkin_id bigint NOT NULL,
    local_day date NOT NULL
);
INSERT INTO selfie_uses (sha256, checkin_id, local_day)
SELECT DISTINCT ON (selfie_sha256) selfie_sha256, id, local_day
  FROM checkins WHERE selfie_sha256 IS NOT NULL
 ORDER BY selfie_sha256, received_at, id;

CREATE FUNCTION checkins_note_selfie() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.selfie_sha256 IS NOT NULL THEN
        INSERT INTO selfie_uses (sha256, checkin_id, local_day) VALUES (NEW.selfie_sha256, NEW.id, NEW.local_day)
        ON CONFLICT (sha256) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

-- After the row is stored: a row the nonce trigger skipped used nothing.
CREATE TRIGGER checkins_note_selfie AFTER INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkins_note_selfie();
