-- The functions a check-in calls, in PL/pgSQL so that their plans are cached
-- (issue 21; docs/performance.md, "Functions planned on every call"). A SQL
-- function that PostgreSQL cannot inline (a FROM clause, a LIMIT) is parsed
-- and planned again on every call: pg_stat_statements and perf showed
-- checkin_times_doc alone at 126 µs of planning per check-in, and fmgr_sql at
-- a quarter of PostgreSQL's CPU on the warm path. A PL/pgSQL function keeps
-- its statements' plans for the session (generic after five calls). Same
-- names, arguments, results and volatility as before; only the language changes.

-- sql/0016_judged_time.sql
CREATE OR REPLACE FUNCTION checkin_times_doc(captured timestamptz, received timestamptz, judged timestamptz, unit bigint)
RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT json_build_object('captured_at', local_rfc3339(captured, u.timezone),
                                     'received_at', local_rfc3339(received, u.timezone),
                                     'judged_at', local_rfc3339(judged, u.timezone))
              FROM units u WHERE u.id = unit);
END $$;

-- sql/0030_selfie_phashes.sql
CREATE OR REPLACE FUNCTION selfie_near_copy(q bigint, p0 integer[], p1 integer[], p2 integer[], since date,
                                            max_bits integer)
RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT json_build_object('checkin_id', x.checkin_id::text, 'distance', x.d)
              FROM (SELECT s.checkin_id, bit_count((s.phash # q)::bit(64))::integer AS d
                      FROM selfie_phashes s
                     WHERE (s.part0 = ANY (p0) OR s.part1 = ANY (p1) OR s.part2 = ANY (p2))
                       AND s.local_day >= since) x
             WHERE x.d <= max_bits
             ORDER BY x.d, x.checkin_id
             LIMIT 1);
END $$;

-- sql/0023_leave.sql: NULL (a row of NULLs in a FROM clause) when there is none.
CREATE OR REPLACE FUNCTION leave_on_day(emp bigint, d date) RETURNS leave_requests LANGUAGE plpgsql STABLE AS $$
DECLARE
    found_leave leave_requests;
BEGIN
    SELECT * INTO found_leave FROM leave_requests l
     WHERE l.employee_id = emp AND l.status = 'approved' AND d BETWEEN l.from_day AND l.to_day
     ORDER BY l.start_min NULLS FIRST, l.id DESC LIMIT 1;
    RETURN found_leave;
END $$;

-- sql/0027_working_time.sql: NULL when no dated hours govern.
CREATE OR REPLACE FUNCTION governing_dated_hours(unit_id bigint, day date) RETURNS dated_hours
LANGUAGE plpgsql STABLE AS $$
DECLARE
    governing dated_hours;
BEGIN
    WITH RECURSIVE up (id, parent_id) AS (
        SELECT u.id, u.parent_id FROM units u WHERE u.id = governing_dated_hours.unit_id
        UNION ALL SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)
    SELECT h.* INTO governing FROM dated_hours h, units u
     WHERE u.id = governing_dated_hours.unit_id
       AND governing_dated_hours.day BETWEEN h.starts_on AND h.ends_on AND u.category = ANY (h.applies_to)
       AND (h.unit_id IS NULL OR h.unit_id IN (SELECT id FROM up))
     ORDER BY h.priority DESC, h.starts_on DESC, h.id DESC LIMIT 1;
    RETURN governing;
END $$;

CREATE OR REPLACE FUNCTION unit_week_on(unit_id bigint, day date) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce((governing_dated_hours(u.id, unit_week_on.day)).work_hours, u.work_hours)
              FROM units u WHERE u.id = unit_week_on.unit_id);
END $$;

CREATE OR REPLACE FUNCTION is_work_day(unit_id bigint, day date) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT (unit_week_on(u.id, is_work_day.day)
                      ? (ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])[extract(isodow FROM is_work_day.day)::int])
                   AND NOT EXISTS (SELECT 1 FROM holidays h WHERE h.day = is_work_day.day
                                   AND (h.agency_id IS NULL OR h.agency_id = u.agency_id))
              FROM units u WHERE u.id = is_work_day.unit_id);
END $$;
