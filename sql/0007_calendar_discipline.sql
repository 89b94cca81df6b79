-- The agency calendar, unit membership over time, the nightly closure's
-- violations once per day, and the discipline thresholds of PP 94/2021 as data.

-- Days that are not work days: national holidays and collective leave (cuti
-- bersama) for every agency (agency_id NULL), or for one agency (a top-level unit).
CREATE TABLE holidays (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id bigint REFERENCES units (id),
    day date NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind text NOT NULL DEFAULT 'holiday' CHECK (kind IN ('holiday', 'collective_leave'))
);
CREATE UNIQUE INDEX holidays_day_idx ON holidays (day, coalesce(agency_id, 0));

CREATE TRIGGER holidays_bump_setup_generation AFTER INSERT OR UPDATE OR DELETE ON holidays
    FOR EACH STATEMENT EXECUTE FUNCTION setup_generation_bump();

CREATE FUNCTION holiday_doc(h holidays) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', h.id::text, 'agency_id', h.agency_id::text, 'date', h.day,
                             'name', h.name, 'kind', h.kind)
$$;

-- Whether a day is a work day of a unit: its week has hours that weekday, and
-- neither a national holiday nor one of its agency falls on it.
CREATE FUNCTION is_work_day(unit_id bigint, day date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (u.work_hours ? (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])[extract(isodow FROM day)::int])
           AND NOT EXISTS (SELECT 1 FROM holidays h WHERE h.day = is_work_day.day
                           AND (h.agency_id IS NULL OR h.agency_id = u.agency_id))
      FROM units u WHERE u.id = is_work_day.unit_id
$$;

-- Which unit each employee belonged to, and since when: the closure counts an
-- employee absent only in the unit it belonged to when the day began, and not
-- before it joined or after it left.
CREATE TABLE employee_units (
    employee_id bigint NOT NULL REFERENCES employees (id),
    unit_id bigint NOT NULL REFERENCES units (id),
    valid_from timestamptz NOT NULL,
    valid_to timestamptz,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX employee_units_unit_idx ON employee_units (unit_id, valid_from);
CREATE UNIQUE INDEX employee_units_current_idx ON employee_units (employee_id) WHERE valid_to IS NULL;

INSERT INTO employee_units (employee_id, unit_id, valid_from, valid_to)
SELECT id, unit_id, created_at, CASE WHEN active THEN NULL ELSE greatest(updated_at, created_at) END FROM employees;

CREATE FUNCTION employee_units_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.unit_id IS NOT DISTINCT FROM OLD.unit_id AND NEW.active = OLD.active THEN
            RETURN NULL;
        END IF;
        UPDATE employee_units SET valid_to = clock_timestamp() WHERE employee_id = NEW.id AND valid_to IS NULL;
    END IF;
    IF NEW.active THEN
        INSERT INTO employee_units (employee_id, unit_id, valid_from) VALUES (NEW.id, NEW.unit_id, clock_timestamp());
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER employees_follow_units AFTER INSERT OR UPDATE OF unit_id, active ON employees
    FOR EACH ROW EXECUTE FUNCTION employee_units_follow();

-- ABSENT and NO_CHECKOUT are flagged by the closure once per employee and day,
-- however often it runs.
CREATE UNIQUE INDEX violations_closure_once_idx ON violations (employee_id, day, code)
    WHERE code IN ('ABSENT', 'NO_CHECKOUT');

-- PP 94/2021 (disiplin PNS), art. 9-11 on unexcused absence counted over a year,
-- and BKN Regulation 6/2022 converting late and early minutes into days.
-- "cumulative": at least min_days unexcused absent work days in the year;
-- "consecutive": at least min_days absent work days in a row. The most severe
-- rule met (highest severity) suggests the sanction.
CREATE TABLE discipline_thresholds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    regulation text NOT NULL,
    in_force_from date NOT NULL,
    in_force_to date,
    kind text NOT NULL CHECK (kind IN ('cumulative', 'consecutive')),
    min_days integer NOT NULL CHECK (min_days > 0),
    sanction text NOT NULL CHECK (sanction IN ('teguran_lisan', 'teguran_tertulis', 'pernyataan_tidak_puas',
        'potong_tukin_6_bulan', 'potong_tukin_9_bulan', 'potong_tukin_12_bulan', 'penurunan_jabatan',
        'pembebasan_jabatan', 'pemberhentian')),
    level text NOT NULL CHECK (level IN ('ringan', 'sedang', 'berat')),
    severity integer NOT NULL
);

INSERT INTO discipline_thresholds (regulation, in_force_from, kind, min_days, sanction, level, severity) VALUES
    ('PP 94/2021', '2021-08-31', 'cumulative', 3, 'teguran_lisan', 'ringan', 1),
    ('PP 94/2021', '2021-08-31', 'cumulative', 4, 'teguran_tertulis', 'ringan', 2),
    ('PP 94/2021', '2021-08-31', 'cumulative', 7, 'pernyataan_tidak_puas', 'ringan', 3),
    ('PP 94/2021', '2021-08-31', 'cumulative', 11, 'potong_tukin_6_bulan', 'sedang', 4),
    ('PP 94/2021', '2021-08-31', 'cumulative', 14, 'potong_tukin_9_bulan', 'sedang', 5),
    ('PP 94/2021', '2021-08-31', 'cumulative', 17, 'potong_tukin_12_bulan', 'sedang', 6),
    ('PP 94/2021', '2021-08-31', 'cumulative', 21, 'penurunan_jabatan', 'berat', 7),
    ('PP 94/2021', '2021-08-31', 'cumulative', 25, 'pembebasan_jabatan', 'berat', 8),
    ('PP 94/2021', '2021-08-31', 'cumulative', 28, 'pemberhentian', 'berat', 9),
    ('PP 94/2021', '2021-08-31', 'consecutive', 10, 'pemberhentian', 'berat', 9);

-- How many minutes of late arrival and early departure count as one day of
-- unexcused absence (BKN 6/2022: 7.5 hours), by the date it applies from.
CREATE TABLE discipline_day_minutes (
    in_force_from date PRIMARY KEY,
    regulation text NOT NULL,
    minutes integer NOT NULL CHECK (minutes > 0)
);
INSERT INTO discipline_day_minutes (in_force_from, regulation, minutes) VALUES ('2022-01-01', 'BKN 6/2022', 450);
