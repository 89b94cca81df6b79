-- Leave, permission and official duty (issue 22; CONTRACT.md, "Leave and
-- permission (izin, cuti, dinas luar)" and "The employee's own view, and its
-- explanation"); a supervisor's scope is its unit and the units under it.
--
-- The rules of each kind of leave are data (leave_kinds), each row with the
-- regulation it comes from; the service judges a request with the pure rules
-- of rules/leave.c on that row. Approved leave excuses the flags the contract
-- names: the check-in rules and the closure read it, and an approval that
-- comes after the flags dismisses them as the service's own decision
-- (violation_decisions.leave_id, decided_by NULL), audited.

-- ---- a supervisor's scope: its unit and every unit under it ----

-- The unit and every unit under it (a unit's parent is made before it, so the
-- tree has no cycle).
CREATE FUNCTION units_under(top bigint) RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    WITH RECURSIVE down (id) AS (SELECT id FROM units WHERE id = top
                                 UNION ALL SELECT u.id FROM units u JOIN down ON u.parent_id = down.id)
    SELECT id FROM down
$$;

-- ---- the kinds of leave and their rules ----

CREATE TABLE leave_kinds (
    kind text PRIMARY KEY CHECK (kind ~ '^[a-z_]{2,40}$'),
    min_service_months integer NOT NULL DEFAULT 0 CHECK (min_service_months >= 0),
    max_calendar_days integer CHECK (max_calendar_days > 0),   -- per request; NULL: no limit of its own
    annual_working_days integer CHECK (annual_working_days > 0), -- a yearly balance (cuti tahunan)
    carry_max_days integer CHECK (carry_max_days >= 0),         -- unused days carried into the next year
    carry_two_years_total integer CHECK (carry_two_years_total > 0), -- the balance after two unused years
    attachment_beyond_days integer CHECK (attachment_beyond_days >= 0), -- a letter needed beyond this many days
    max_times integer CHECK (max_times > 0),                    -- in a career (cuti melahirkan: three children)
    female_only boolean NOT NULL DEFAULT false,                 -- by the NIP's 15th digit (2)
    hours_allowed boolean NOT NULL DEFAULT false,               -- start/end within one day (izin)
    single_day boolean NOT NULL DEFAULT false,
    excuses_place boolean NOT NULL DEFAULT false,               -- no OUTSIDE_GEOFENCE either (dinas luar)
    source text NOT NULL
);

INSERT INTO leave_kinds (kind, min_service_months, max_calendar_days, annual_working_days, carry_max_days,
                         carry_two_years_total, attachment_beyond_days, max_times, female_only, hours_allowed,
                         single_day, excuses_place, source) VALUES
    ('cuti_tahunan', 12, NULL, 12, 6, 24, NULL, NULL, false, false, false, false,
     'PP 11/2017 as amended by PP 17/2020, Art. 311-313; Peraturan BKN 24/2017 II.A: 12 working days a year after one year of continuous service; at most 6 unused days carried (18 in all), 24 after two years unused'),
    ('cuti_sakit', 0, 548, NULL, NULL, NULL, 1, NULL, false, false, false, false,
     'PP 11/2017 Art. 316-319; Peraturan BKN 24/2017 II.B: a doctor''s letter beyond one day; up to one year, extendable by six months'),
    ('cuti_besar', 60, 92, NULL, NULL, NULL, NULL, NULL, false, false, false, false,
     'PP 11/2017 Art. 314-315; Peraturan BKN 24/2017 II.C: after five years of continuous service, up to three months'),
    ('cuti_melahirkan', 0, 92, NULL, NULL, NULL, NULL, 3, true, false, false, false,
     'PP 11/2017 Art. 320-322; Peraturan BKN 24/2017 II.D: three months, for the first to third child (the fourth on: cuti besar)'),
    ('cuti_alasan_penting', 0, 31, NULL, NULL, NULL, NULL, NULL, false, false, false, false,
     'PP 11/2017 Art. 325-328; Peraturan BKN 24/2017 II.E: up to one month'),
    ('cuti_luar_tanggungan', 60, 1096, NULL, NULL, NULL, NULL, NULL, false, false, false, false,
     'PP 11/2017 Art. 331-335; Peraturan BKN 24/2017 II.G: after five years of service, up to three years'),
    ('izin', 0, 1, NULL, NULL, NULL, NULL, NULL, false, true, true, false,
     'The agency''s rules on permission (izin) for a day or for hours; excused for discipline (PP 94/2021)'),
    ('dinas_luar', 0, 92, NULL, NULL, NULL, NULL, NULL, false, false, false, true,
     'A duty letter (surat tugas) of the unit: official duty away from the office');

-- ---- leave requests ----

CREATE TABLE leave_requests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    unit_id bigint NOT NULL REFERENCES units (id), -- the employee's unit when asked: whose supervisor decides
    kind text NOT NULL REFERENCES leave_kinds (kind),
    from_day date NOT NULL,
    to_day date NOT NULL CHECK (to_day >= from_day),
    start_min integer CHECK (start_min BETWEEN 0 AND 1439),  -- hours of an izin, unit-local; NULL: whole days
    end_min integer CHECK (end_min BETWEEN 1 AND 1440),
    working_days integer NOT NULL CHECK (working_days >= 0), -- as counted when asked (the unit's week, holidays)
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    version integer NOT NULL DEFAULT 1,
    attachment_sha256 text CHECK (attachment_sha256 ~ '^[0-9a-f]{64}$'),
    attachment_type text CHECK (attachment_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    attachment_bytes integer,
    decided_by bigint REFERENCES accounts (id),
    decided_at timestamptz,
    note text CHECK (length(note) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((start_min IS NULL) = (end_min IS NULL) AND (start_min IS NULL OR start_min < end_min)),
    CHECK ((attachment_sha256 IS NULL) = (attachment_type IS NULL))
);
CREATE INDEX leave_requests_employee_idx ON leave_requests (employee_id, from_day);
CREATE INDEX leave_requests_unit_idx ON leave_requests (unit_id, id);
CREATE INDEX leave_requests_pending_idx ON leave_requests (id) WHERE status = 'pending';

CREATE FUNCTION leave_doc(l leave_requests) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', l.id::text, 'employee_id', l.employee_id::text, 'unit_id', l.unit_id::text, 'kind', l.kind,
        'from', l.from_day, 'to', l.to_day,
        'start', CASE WHEN l.start_min IS NOT NULL
                      THEN lpad((l.start_min / 60)::text, 2, '0') || ':' || lpad((l.start_min % 60)::text, 2, '0') END,
        'end', CASE WHEN l.end_min IS NOT NULL
                    THEN lpad((l.end_min / 60)::text, 2, '0') || ':' || lpad((l.end_min % 60)::text, 2, '0') END,
        'working_days', l.working_days, 'reason', l.reason, 'status', l.status, 'version', l.version,
        'attachment', CASE WHEN l.attachment_sha256 IS NOT NULL
                           THEN json_build_object('sha256', l.attachment_sha256, 'content_type', l.attachment_type,
                                                  'size_bytes', l.attachment_bytes,
                                                  'url', '/v1/leave/' || l.id || '/attachment') END,
        'employee', (SELECT json_build_object('nip', e.nip, 'name', e.name) FROM employees e WHERE e.id = l.employee_id),
        'decided_by', l.decided_by::text,
        'decided_by_username', (SELECT a.username FROM accounts a WHERE a.id = l.decided_by),
        'decided_at', l.decided_at, 'note', l.note, 'created_at', l.created_at)
$$;

-- The approved leave of an employee on a day (the latest approved if several
-- overlap, which the service does not let happen; see leave_overlapping).
CREATE FUNCTION leave_on_day(emp bigint, d date) RETURNS leave_requests LANGUAGE sql STABLE AS $$
    SELECT * FROM leave_requests l
     WHERE l.employee_id = emp AND l.status = 'approved' AND d BETWEEN l.from_day AND l.to_day
     ORDER BY l.start_min NULLS FIRST, l.id DESC LIMIT 1
$$;

-- A check-in is judged with the day's approved leave: approving or taking
-- back leave ends the cached facts, as a change of the setup does (sql/0006).
CREATE FUNCTION leave_requests_bump_setup_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'approved' OR OLD.status = 'approved' THEN
        UPDATE setup_generation SET n = n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER leave_requests_bump_setup_generation AFTER UPDATE OF status ON leave_requests
    FOR EACH ROW EXECUTE FUNCTION leave_requests_bump_setup_generation();

-- ---- the service dismisses what approved leave excuses ----

ALTER TABLE violation_decisions ALTER COLUMN decided_by DROP NOT NULL;
ALTER TABLE violation_decisions ADD COLUMN leave_id bigint REFERENCES leave_requests (id);
ALTER TABLE violation_decisions ADD CONSTRAINT violation_decisions_by_check
    CHECK ((decided_by IS NULL) = (leave_id IS NOT NULL));

CREATE OR REPLACE FUNCTION violation_decision_doc(d violation_decisions) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'version', d.version, 'decision', d.decision, 'sanction', d.sanction, 'note', d.note,
        'decided_by', d.decided_by::text,
        'decided_by_username', coalesce((SELECT a.username FROM accounts a WHERE a.id = d.decided_by), 'system'),
        'leave_id', d.leave_id::text, 'decided_at', d.decided_at)
$$;

-- ---- the employee's explanation of a violation ----

CREATE TABLE violation_explanations (
    violation_id bigint PRIMARY KEY,
    violation_day date NOT NULL,
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    explained_at timestamptz NOT NULL DEFAULT now()
);
