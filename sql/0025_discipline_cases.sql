-- Discipline cases (issue 23; CONTRACT.md, "Discipline as PP 94/2021 runs
-- it"; docs/discipline.md): the direct superior summons the employee about its
-- confirmed violations and examines it (the minutes, BAP: PP 94/2021 Art. 26),
-- the employee states its side, and a reviewer decides for the authorised
-- official, with a reason when the sanction is not the suggested one.

CREATE TABLE discipline_cases (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    unit_id bigint NOT NULL REFERENCES units (id),  -- the employee's unit when summoned: whose superior examines
    status text NOT NULL DEFAULT 'summoned' CHECK (status IN ('summoned', 'examined', 'decided')),
    year integer NOT NULL,                          -- of the violations: the year whose days suggested
    summoned_for timestamptz NOT NULL,              -- when the employee is to appear
    summoned_by bigint NOT NULL REFERENCES accounts (id),
    suggested_sanction text,                        -- by the thresholds in force, when summoned
    examination_record text CHECK (length(examination_record) BETWEEN 1 AND 20000),
    examined_by bigint REFERENCES accounts (id),
    examined_at timestamptz,
    statement text CHECK (length(statement) BETWEEN 1 AND 20000),
    stated_at timestamptz,
    sanction text CHECK (sanction IN ('teguran_lisan', 'teguran_tertulis', 'pernyataan_tidak_puas',
        'potong_tukin_6_bulan', 'potong_tukin_9_bulan', 'potong_tukin_12_bulan', 'penurunan_jabatan',
        'pembebasan_jabatan', 'pemberhentian')),
    reason text CHECK (length(reason) <= 4000),
    decided_by bigint REFERENCES accounts (id),
    decided_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'summoned') = (examination_record IS NULL)),
    CHECK ((status = 'decided') = (decided_at IS NOT NULL AND sanction IS NOT NULL))
);
CREATE INDEX discipline_cases_unit_idx ON discipline_cases (unit_id, id);
CREATE INDEX discipline_cases_employee_idx ON discipline_cases (employee_id);

-- The confirmed violations a case is about; a violation is in one case at most.
CREATE TABLE discipline_case_violations (
    case_id bigint NOT NULL REFERENCES discipline_cases (id),
    violation_id bigint NOT NULL UNIQUE,
    violation_day date NOT NULL,
    PRIMARY KEY (case_id, violation_id)
);

CREATE FUNCTION discipline_case_doc(c discipline_cases) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id::text, 'employee_id', c.employee_id::text, 'unit_id', c.unit_id::text, 'status', c.status,
        'year', c.year,
        'employee', (SELECT json_build_object('nip', e.nip, 'name', e.name, 'status', e.status)
                       FROM employees e WHERE e.id = c.employee_id),
        'summoned_for', c.summoned_for, 'summoned_by', c.summoned_by::text,
        'suggested_sanction', c.suggested_sanction,
        'violations', (SELECT coalesce(json_agg(violation_doc(v) ORDER BY v.day, v.id), '[]')
                         FROM discipline_case_violations cv JOIN violations v
                           ON v.id = cv.violation_id AND v.day = cv.violation_day WHERE cv.case_id = c.id),
        'examination', CASE WHEN c.examination_record IS NOT NULL THEN json_build_object(
                           'record', c.examination_record, 'examined_by', c.examined_by::text,
                           'examined_at', c.examined_at) END,
        'statement', CASE WHEN c.statement IS NOT NULL THEN json_build_object(
                         'text', c.statement, 'stated_at', c.stated_at) END,
        'decision', CASE WHEN c.decided_at IS NOT NULL THEN json_build_object(
                        'sanction', c.sanction, 'reason', c.reason, 'decided_by', c.decided_by::text,
                        'decided_by_username', (SELECT a.username FROM accounts a WHERE a.id = c.decided_by),
                        'decided_at', c.decided_at) END,
        'version', c.version, 'created_at', c.created_at)
$$;
