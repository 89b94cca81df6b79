-- tests/bench/partitions' history: :rows check-ins of the month starting
-- :'month', spread over the SQL-made population of tests/bench/population.sql
-- (:employees devices from :device_first) and the month's days, 07:00-16:59
-- Jakarta time, in and out alternating; each nonce taken in checkin_nonces as
-- the trigger would. Run as a superuser with session_replication_role =
-- replica (foreign keys and the trigger off: the rows are made consistent
-- here), so that twelve million load in minutes.
SET session_replication_role = replica;

SELECT create_month_partitions(:'month', :'month') \gset

INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,
                      local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, place,
                      selfie_sha256, payload, signature, judged_at, counts_for_day, after_closure)
SELECT d.employee_id, :unit_id, d.id, x.nonce, x.type, x.mode, x.captured_at, x.captured_at + interval '2 seconds',
       (x.captured_at AT TIME ZONE 'Asia/Jakarta')::date, x.lat, x.lon, 12.5, false, true, 0,
       CASE x.mode WHEN 'WFH' THEN 'home' END, NULL, p.payload, sha512(p.payload), x.captured_at, true, false
  FROM generate_series(1, :rows) g
  JOIN devices d ON d.id = :device_first + g % :employees
 CROSS JOIN LATERAL (
       SELECT left(md5(:'month' || g), 22) AS nonce,
              CASE WHEN g / :employees % 2 = 0 THEN 'in' ELSE 'out' END AS type,
              CASE WHEN g % 10 = 0 THEN 'WFH' ELSE 'WFO' END AS mode,
              ((DATE :'month' + (g::bigint * ((DATE :'month' + interval '1 month')::date - DATE :'month') / (:rows + 1))::int
                + time '07:00' + (g % 36000) * interval '1 second') AT TIME ZONE 'Asia/Jakarta') AS captured_at,
              -6.1818 + (random() - 0.5) / 1000 AS lat,
              106.8283 + (random() - 0.5) / 1000 AS lon) x
 CROSS JOIN LATERAL (
       SELECT convert_to(json_build_object(
                  'device_id', d.id::text, 'type', x.type, 'mode', x.mode, 'captured_at', x.captured_at,
                  'lat', x.lat, 'lon', x.lon, 'accuracy_m', 12.5, 'mock_location', false, 'nonce', x.nonce,
                  'selfie_sha256', NULL)::text, 'UTF8') AS payload) p;

INSERT INTO checkin_nonces (device_id, nonce, checkin_id, local_day)
SELECT device_id, nonce, id, local_day FROM checkins
 WHERE local_day >= :'month' AND local_day < (DATE :'month' + interval '1 month')::date AND unit_id = :unit_id;
