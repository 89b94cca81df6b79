-- tests/bench/export's population, made with SQL: one agency of :employees
-- employees in units of 200 (across WIB, WITA and WIT; one unit in ten
-- direct_service), each with a device, and one work day, :day, of check-ins
-- and violations as the check-in rules and the closure would have left them:
--   one in ten rostered WFH; one in twenty absent (an ABSENT violation, no
--   check-in); the others check in between 07:00 and 07:50 local (late after
--   07:30: LATE_ARRIVAL with its late_minutes) and, nine in ten of them, out
--   between 15:30 and 16:30 (early before 16:00: EARLY_DEPARTURE with its
--   early_minutes); one check-in in fifty LATE_SYNC; WFH ones with a selfie.
-- Every thousandth name holds a comma and quotes, for the CSV writer.
-- :history_days earlier work days get the same check-ins (and violations),
-- so that the export reads its day out of a history, as it will in production.
-- psql variables: employees, day, history_days.

WITH new AS (SELECT nextval(pg_get_serial_sequence('units', 'id')) AS id)
INSERT INTO units (id, agency_id, code, name, category, timezone, work_hours)
OVERRIDING SYSTEM VALUE
SELECT id, id, 'XB', 'Export bench agency', 'administrative', 'Asia/Jakarta',
       '{"mon": ["07:30", "16:00"], "tue": ["07:30", "16:00"], "wed": ["07:30", "16:00"],
         "thu": ["07:30", "16:00"], "fri": ["07:30", "16:30"]}'
  FROM new
RETURNING id AS agency_id \gset

INSERT INTO units (parent_id, agency_id, code, name, category, timezone, work_hours)
SELECT :agency_id, :agency_id, 'XB-' || lpad(u::text, 4, '0'), 'Export bench unit ' || u,
       CASE WHEN u % 10 = 0 THEN 'direct_service' ELSE 'administrative' END,
       (ARRAY['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'])[u % 3 + 1],
       '{"mon": ["07:30", "16:00"], "tue": ["07:30", "16:00"], "wed": ["07:30", "16:00"],
         "thu": ["07:30", "16:00"], "fri": ["07:30", "16:30"]}'
  FROM generate_series(1, (:employees + 199) / 200) u ORDER BY u;

INSERT INTO policies (name, starts_on, ends_on, applies_to, max_wfh_percent, selfie_required_for)
VALUES ('Export bench: WFH at most 50%', DATE :'day' - 365, DATE :'day' + 365, '{administrative}', 50, '{WFH}');

INSERT INTO employees (nip, name, unit_id)
SELECT '01' || lpad(k::text, 16, '0'),
       CASE WHEN k % 1000 = 0 THEN 'Pegawai, "Export" ' || k ELSE 'Pegawai Export ' || k END,
       u.id
  FROM generate_series(1, :employees) k
  JOIN units u ON u.code = 'XB-' || lpad(((k - 1) / 200 + 1)::text, 4, '0')
 ORDER BY k;
-- Members of their units since long before the day (the insert made them members from now).
UPDATE employee_units SET valid_from = DATE :'day' - 365;

INSERT INTO devices (employee_id, public_key, label)
SELECT e.id, sha256(int8send(e.id)), 'bench phone' FROM employees e ORDER BY e.id;

INSERT INTO roster_entries (employee_id, day, unit_id, mode)
SELECT e.id, :'day', e.unit_id, 'WFH' FROM employees e WHERE e.id % 10 = 0;

-- The day and the history days before it (weekends included: a bench, not a calendar).
CREATE TEMP TABLE bench_days AS
SELECT (DATE :'day' - d)::date AS day, d = 0 AS exported FROM generate_series(0, :history_days) d;

-- Their months' partitions (sql/0015), and one selfie record a day (a record is of the day that brought it).
SELECT create_month_partitions(min(day), max(day)) FROM bench_days \gset
INSERT INTO selfies (sha256, day, content_type, size_bytes)
SELECT encode(sha256('export bench selfie'), 'hex'), day, 'image/jpeg', 20000 FROM bench_days;

-- One "in" and maybe one "out" per present employee and day; minutes after local 07:00 and 15:30.
CREATE TEMP TABLE bench_checkins AS
SELECT e.id AS employee_id, e.unit_id, dv.id AS device_id, b.day, t.type,
       CASE WHEN e.id % 10 = 0 THEN 'WFH' ELSE 'WFO' END AS mode,
       ((b.day + CASE t.type WHEN 'in' THEN time '07:00' ELSE time '15:30' END
         + make_interval(mins => ((e.id * 7 + t.n * 13 + (b.day - DATE :'day')) % CASE t.type WHEN 'in' THEN 50 ELSE 60 END)::int,
                         secs => e.id % 60))
        AT TIME ZONE u.timezone) AS captured_at
  FROM employees e JOIN units u ON u.id = e.unit_id JOIN devices dv ON dv.employee_id = e.id
 CROSS JOIN bench_days b
 CROSS JOIN (VALUES ('in', 1), ('out', 2)) AS t (type, n)
 WHERE e.id % 20 <> 0 AND (t.type = 'in' OR e.id % 10 <> 3);

INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at, local_day,
                      lat, lon, accuracy_m, mock_location, inside, distance_m, place, selfie_sha256, payload,
                      signature, judged_at, counts_for_day, after_closure)
SELECT c.employee_id, c.unit_id, c.device_id, md5(c.employee_id || c.type || c.day), c.type, c.mode, c.captured_at,
       c.captured_at + CASE WHEN c.employee_id % 50 = 7 THEN interval '20 minutes' ELSE interval '2 seconds' END,
       c.day, -6.1818, 106.8283, 12.5, false, c.employee_id % 25 <> 1, CASE WHEN c.employee_id % 25 = 1 THEN 180 ELSE 0 END,
       CASE c.mode WHEN 'WFH' THEN 'home' END,
       CASE c.mode WHEN 'WFH' THEN encode(sha256('export bench selfie'), 'hex') END,
       convert_to('{"bench":true}', 'UTF8'), sha512(convert_to(c.employee_id || c.type || c.day, 'UTF8')),
       c.captured_at, c.employee_id % 25 <> 1, false
  FROM bench_checkins c
 ORDER BY c.captured_at;

-- The violations, with the evidence the rules write.
INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, evidence)
SELECT c.employee_id, c.unit_id, c.id, c.local_day, v.code, v.evidence
  FROM checkins c JOIN units u ON u.id = c.unit_id
 CROSS JOIN LATERAL (SELECT extract(epoch FROM (c.captured_at AT TIME ZONE u.timezone)::time)::int AS s) AS l
 CROSS JOIN LATERAL (
       SELECT 'LATE_ARRIVAL' AS code,
              jsonb_build_object('local_time', to_char(make_interval(secs => l.s), 'HH24:MI'), 'start', '07:30',
                                 'grace_minutes', 0, 'late_minutes', (l.s - 27000) / 60) AS evidence
        WHERE c.type = 'in' AND l.s - 27000 >= 60
       UNION ALL
       SELECT 'EARLY_DEPARTURE',
              jsonb_build_object('local_time', to_char(make_interval(secs => l.s), 'HH24:MI'), 'end', '16:00',
                                 'early_minutes', (57600 - l.s + 59) / 60)
        WHERE c.type = 'out' AND l.s < 57600
       UNION ALL
       SELECT 'LATE_SYNC', jsonb_build_object('delay_seconds', 1200) WHERE c.employee_id % 50 = 7
       UNION ALL
       SELECT CASE c.mode WHEN 'WFO' THEN 'OUTSIDE_GEOFENCE' ELSE 'OUTSIDE_HOME' END,
              jsonb_build_object('distance_m', 180, 'accuracy_m', 12.5)
        WHERE c.employee_id % 25 = 1) AS v
 ORDER BY c.id;

INSERT INTO violations (employee_id, unit_id, day, code, evidence)
SELECT e.id, e.unit_id, b.day, 'ABSENT', '{}'
  FROM employees e CROSS JOIN bench_days b WHERE e.id % 20 = 0 ORDER BY b.day, e.id;

SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM employees),
       (SELECT count(*) FROM checkins WHERE local_day = :'day'), (SELECT count(*) FROM violations WHERE day = :'day'),
       (SELECT count(*) FROM checkins), (SELECT count(*) FROM violations);
