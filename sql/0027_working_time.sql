-- Working time as the rules set it (issue 24; CONTRACT.md, "Working time as
-- the rules set it"): dated hours that override the units' week (Ramadan,
-- Perpres 21/2023 Art. 4; Kepgub DKI 199/2023), a unit's check-in windows,
-- its grace made up, its flexible start, the early minutes a missing
-- check-out counts, rest days and night shifts in the roster. The rules
-- themselves are in rules/work_hours.c; this file keeps their data.

-- ---- dated hours ----

-- A week of hours for a date range, the units of some categories (and, with
-- unit_id, only that unit and the units under it), like a policy: of those
-- covering a unit and day, the highest priority governs, then the one that
-- began last, then the newest.
CREATE TABLE dated_hours (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    applies_to text[] NOT NULL CHECK (cardinality(applies_to) > 0 AND applies_to <@
        ARRAY['administrative', 'direct_service', 'essential', 'critical']),
    unit_id bigint REFERENCES units (id),
    priority integer NOT NULL DEFAULT 0,
    work_hours jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_on <= ends_on)
);
CREATE INDEX dated_hours_dates_idx ON dated_hours (starts_on, ends_on);
CREATE TRIGGER dated_hours_bump_setup_generation AFTER INSERT OR UPDATE OR DELETE ON dated_hours
    FOR EACH STATEMENT EXECUTE FUNCTION setup_generation_bump();

CREATE FUNCTION dated_hours_doc(h dated_hours) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', h.id::text, 'name', h.name, 'starts_on', h.starts_on, 'ends_on', h.ends_on,
        'applies_to', h.applies_to, 'unit_id', h.unit_id::text, 'priority', h.priority,
        'work_hours', h.work_hours, 'created_at', h.created_at)
$$;

-- The dated hours governing a unit on a day, NULL when none does.
CREATE FUNCTION governing_dated_hours(unit_id bigint, day date) RETURNS dated_hours LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up (id, parent_id) AS (
        SELECT u.id, u.parent_id FROM units u WHERE u.id = governing_dated_hours.unit_id
        UNION ALL SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)
    SELECT h.* FROM dated_hours h, units u
     WHERE u.id = governing_dated_hours.unit_id
       AND governing_dated_hours.day BETWEEN h.starts_on AND h.ends_on AND u.category = ANY (h.applies_to)
       AND (h.unit_id IS NULL OR h.unit_id IN (SELECT id FROM up))
     ORDER BY h.priority DESC, h.starts_on DESC, h.id DESC LIMIT 1
$$;

-- The week that sets a unit's hours on a day: the governing dated hours', else the unit's own.
CREATE FUNCTION unit_week_on(unit_id bigint, day date) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce((governing_dated_hours(u.id, unit_week_on.day)).work_hours, u.work_hours)
      FROM units u WHERE u.id = unit_week_on.unit_id
$$;

-- A unit's work day follows the week that governs it that day.
CREATE OR REPLACE FUNCTION is_work_day(unit_id bigint, day date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (unit_week_on(u.id, is_work_day.day)
              ? (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])[extract(isodow FROM is_work_day.day)::int])
           AND NOT EXISTS (SELECT 1 FROM holidays h WHERE h.day = is_work_day.day
                           AND (h.agency_id IS NULL OR h.agency_id = u.agency_id))
      FROM units u WHERE u.id = is_work_day.unit_id
$$;

-- ---- the unit's settings ----

-- checkin_windows: {"in": ["HH:MM", "HH:MM"], "out": [...]}, either optional;
-- NULL: none. Checked by the service (rules/work_hours.c).
ALTER TABLE units ADD COLUMN checkin_windows jsonb;
ALTER TABLE units ADD COLUMN grace_made_up boolean NOT NULL DEFAULT false;
ALTER TABLE units ADD COLUMN flex_minutes integer NOT NULL DEFAULT 0 CHECK (flex_minutes BETWEEN 0 AND 240);
ALTER TABLE units ADD COLUMN missing_out_minutes integer NOT NULL DEFAULT 0
    CHECK (missing_out_minutes BETWEEN 0 AND 1440);

CREATE OR REPLACE FUNCTION unit_doc(u units) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id::text, 'code', u.code, 'name', u.name, 'category', u.category,
        'timezone', u.timezone, 'parent_id', u.parent_id::text, 'agency_id', u.agency_id::text,
        'work_hours', u.work_hours, 'grace_minutes', u.grace_minutes,
        'sync_tolerance_s', u.sync_tolerance_s, 'checkin_windows', u.checkin_windows,
        'grace_made_up', u.grace_made_up, 'flex_minutes', u.flex_minutes,
        'missing_out_minutes', u.missing_out_minutes, 'created_at', u.created_at)
$$;

-- ---- rest days and night shifts ----

-- OFF: a rest day (no ABSENT). A shift whose end is not after its start ends
-- the next day (19:00-07:00): its day is the day it starts.
ALTER TABLE roster_entries DROP CONSTRAINT roster_entries_mode_check;
ALTER TABLE roster_entries ADD CONSTRAINT roster_entries_mode_check CHECK (mode IN ('WFO', 'WFH', 'OFF'));
ALTER TABLE roster_entries ADD CONSTRAINT roster_entries_off_has_no_hours_check
    CHECK (mode <> 'OFF' OR (start_min IS NULL AND end_min IS NULL));
