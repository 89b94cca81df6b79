-- Whether a day is a work day of an employee (issue 24), as the check-in
-- rules decide it (rules/work_hours.c, day_hours_of): a rest day of the
-- roster (OFF) is none; a shift of the roster (its own start and end) is one,
-- whatever the week or a holiday says; else the unit's work day (is_work_day,
-- by the week that governs it: sql/0027). The closure's ABSENT and the
-- discipline summary's runs of consecutive absent days both read it, so that
-- a hospital's rest day neither makes an absence nor breaks a run of them.
CREATE FUNCTION employee_works_on(employee_id bigint, unit_id bigint, day date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN r.mode = 'OFF' THEN false
                WHEN r.start_min IS NOT NULL AND r.end_min IS NOT NULL THEN true
                ELSE is_work_day(employee_works_on.unit_id, employee_works_on.day) END
      FROM (SELECT 1) one
      LEFT JOIN roster_entries r ON r.employee_id = employee_works_on.employee_id AND r.day = employee_works_on.day
$$;
