-- tests/bench/run's database-side population, made with SQL (not through the
-- API): one unit of :employees employees, each with an enrolled device, and
-- :history check-ins of history spread over them and over the past six months.
-- The pgbench ceiling inserts check-ins for these devices. The load generator's
-- employees are made by the load generator itself when it runs, after this.
-- psql variables: employees, history. Prints unit_id, device_first, devices, device_span.

WITH new AS (SELECT nextval(pg_get_serial_sequence('units', 'id')) AS id)
INSERT INTO units (id, agency_id, code, name, category, timezone, work_hours)
OVERRIDING SYSTEM VALUE
SELECT id, id, 'BENCH-DB', 'Bench population (SQL)', 'administrative', 'Asia/Jakarta',
       '{"mon": ["07:30", "16:00"], "tue": ["07:30", "16:00"], "wed": ["07:30", "16:00"],
         "thu": ["07:30", "16:00"], "fri": ["07:30", "16:30"]}'
  FROM new
RETURNING id AS unit_id \gset

-- NIPs from 00...: the load generator's start with a run number of 10000000 or more.
INSERT INTO employees (nip, name, unit_id)
SELECT '00' || lpad(k::text, 16, '0'), 'Pegawai Bench ' || k, :unit_id
  FROM generate_series(1, :employees) k ORDER BY k;

INSERT INTO devices (employee_id, public_key, label)
SELECT e.id, sha256(int8send(e.id)), 'bench phone'
  FROM employees e WHERE e.unit_id = :unit_id ORDER BY e.id;

-- Made in one statement on a fresh database, the device ids are consecutive:
-- device_first + k for k in [0, employees) names one (the caller checks the span).
SELECT min(d.id) AS device_first FROM devices d JOIN employees e ON e.id = d.employee_id
 WHERE e.unit_id = :unit_id \gset

-- The months of the history have their partitions (sql/0015), as the nightly would have made them.
SELECT create_month_partitions((now() - interval '180 days')::date, now()::date) \gset

-- Check-in g belongs to device g mod employees; in and out alternate round by
-- round; one in ten is WFH. The payload is JSON like the phone's, its
-- "signature" 64 bytes (a hash: nothing verifies history).
INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,
                      local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, place,
                      selfie_sha256, payload, signature, judged_at, counts_for_day, after_closure)
SELECT d.employee_id, :unit_id, d.id, x.nonce, x.type, x.mode, x.captured_at, x.captured_at + interval '2 seconds',
       (x.captured_at AT TIME ZONE 'Asia/Jakarta')::date, x.lat, x.lon, 12.5, false, true, 0,
       CASE x.mode WHEN 'WFH' THEN 'home' END, NULL, p.payload, sha512(p.payload), x.captured_at, true, false
  FROM generate_series(1, :history) g
  JOIN devices d ON d.id = :device_first + g % :employees
 CROSS JOIN LATERAL (
       SELECT left(md5(g::text), 22) AS nonce,
              CASE WHEN g / :employees % 2 = 0 THEN 'in' ELSE 'out' END AS type,
              CASE WHEN g % 10 = 0 THEN 'WFH' ELSE 'WFO' END AS mode,
              now() - random() * interval '180 days' AS captured_at,
              -6.1818 + (random() - 0.5) / 1000 AS lat,
              106.8283 + (random() - 0.5) / 1000 AS lon) x
 CROSS JOIN LATERAL (
       SELECT convert_to(json_build_object(
                  'device_id', d.id::text, 'type', x.type, 'mode', x.mode, 'captured_at', x.captured_at,
                  'lat', x.lat, 'lon', x.lon, 'accuracy_m', 12.5, 'mock_location', false, 'nonce', x.nonce,
                  'selfie_sha256', NULL)::text, 'UTF8') AS payload) p;

SELECT :unit_id, :device_first, count(*), max(d.id) - min(d.id) + 1
  FROM devices d JOIN employees e ON e.id = d.employee_id WHERE e.unit_id = :unit_id;
