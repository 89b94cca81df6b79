-- The violation listing on a large table (docs/performance.md, "Violation listing"):
-- loads a population of violations, then prints EXPLAIN (ANALYZE, BUFFERS) of the
-- review console's main filter combinations, run through the service's own
-- statements. tests/bench/violations runs it on a fresh, migrated database.
--
-- psql variables:
--   violations  how many violations to load (spread over the past year)
--   list_sql    the text of the statement violation_list of attendance-svc/store/store_review.c
--   days_sql    the text of violation_list_in_days
-- (tests/bench/violations takes both texts from the preprocessed C source, so
-- that the plans shown are those of the statements the service runs.)
--
-- The population, shaped like DKI Jakarta and Malang: two agencies, 400 and 100
-- units, 60,000 employees, and the violations in id order over the past year
-- (ids follow the days, as check-ins arrive), with the codes in proportions a
-- year of check-ins gives (a third LATE_ARRIVAL, a few MOCK_LOCATION, very few
-- IMPOSSIBLE_TRAVEL), decided (60% dismissed, 40% confirmed) except for 1% of
-- the old ones and 90% of the last 30 days, which are pending. No check-ins:
-- the list reads none.

\set ON_ERROR_STOP on
\timing off

INSERT INTO units (id, agency_id, code, name, category, timezone, work_hours) OVERRIDING SYSTEM VALUE
VALUES (9000001, 9000001, 'BENCH-DKI', 'Bench DKI', 'administrative', 'Asia/Jakarta', '{}'),
       (9000002, 9000002, 'BENCH-MLG', 'Bench Malang', 'administrative', 'Asia/Jakarta', '{}');
INSERT INTO units (parent_id, agency_id, code, name, category, timezone, work_hours)
SELECT a, a, 'BENCH-U' || k, 'Bench unit ' || k, 'administrative', 'Asia/Jakarta', '{}'
  FROM generate_series(1, 500) k, LATERAL (SELECT CASE WHEN k <= 400 THEN 9000001 ELSE 9000002 END AS a) x
 ORDER BY k;
INSERT INTO employees (nip, name, unit_id)
SELECT '03' || lpad(k::text, 16, '0'), 'Pegawai ' || k, u.id
  FROM generate_series(1, 60000) k JOIN units u ON u.code = 'BENCH-U' || (1 + k % 500)
 ORDER BY k;
SELECT min(id) AS first_employee FROM employees WHERE nip LIKE '03%' \gset
-- A year of months, each with its partition (sql/0015).
SELECT create_month_partitions(current_date - 365, current_date) \gset

INSERT INTO violations (employee_id, unit_id, day, code, evidence, status, version, created_at)
SELECT e.id, e.unit_id, p.day, c.code, '{}', s.status, CASE s.status WHEN 'pending' THEN 1 ELSE 2 END,
       p.day + time '08:00'
  FROM generate_series(1, :violations) g
 CROSS JOIN LATERAL (SELECT :first_employee + (g::bigint * 7919) % 60000 AS employee_id,
                            current_date - 365 + (g::bigint * 365 / :violations)::int AS day,
                            random() AS r, random() AS s) p
  JOIN employees e ON e.id = p.employee_id
 CROSS JOIN LATERAL (SELECT CASE
       WHEN p.r < 0.35 THEN 'LATE_ARRIVAL' WHEN p.r < 0.50 THEN 'OUTSIDE_GEOFENCE' WHEN p.r < 0.60 THEN 'ABSENT'
       WHEN p.r < 0.70 THEN 'NO_CHECKOUT' WHEN p.r < 0.78 THEN 'MODE_MISMATCH' WHEN p.r < 0.86 THEN 'LOW_ACCURACY'
       WHEN p.r < 0.91 THEN 'NO_SELFIE' WHEN p.r < 0.96 THEN 'EARLY_DEPARTURE' WHEN p.r < 0.98 THEN 'LATE_SYNC'
       WHEN p.r < 0.99 THEN 'MOCK_LOCATION' WHEN p.r < 0.995 THEN 'IMPOSSIBLE_TRAVEL' ELSE 'OUTSIDE_HOME' END AS code) c
 CROSS JOIN LATERAL (SELECT CASE
       WHEN p.day >= current_date - 30 THEN
            CASE WHEN p.s < 0.9 THEN 'pending' WHEN p.s < 0.95 THEN 'dismissed' ELSE 'confirmed' END
       ELSE CASE WHEN p.s < 0.01 THEN 'pending' WHEN p.s < 0.6 THEN 'dismissed' ELSE 'confirmed' END
       END AS status) s
 ORDER BY g;
VACUUM (ANALYZE) violations;
ANALYZE units;
ANALYZE employees;

SELECT id AS unit FROM units WHERE code = 'BENCH-U10' \gset
SELECT (SELECT count(*) FROM violations) AS total, (SELECT count(*) FROM violations WHERE status = 'pending') AS pending,
       (SELECT count(*) FROM violations WHERE unit_id = :unit) AS in_unit \gset
\echo violations: :total, pending: :pending, in one unit: :in_unit
\echo
\echo The indexes of violations:
SELECT indexrelid::regclass AS index, pg_size_pretty(pg_relation_size(indexrelid)) AS size
  FROM pg_index WHERE indrelid = 'violations'::regclass ORDER BY 1;

-- As the service runs them: prepared without parameter types, planned on every
-- call for the filters given (store_review.c sets this for its transaction).
SET plan_cache_mode = force_custom_plan;
PREPARE violation_list AS :list_sql;
PREPARE violation_list_in_days AS :days_sql;

-- Parameters: role, agency, unit (the caller), status, unit_id, code, from, to, below id, limit + 1.
\echo '== 1. A reviewer''s queue: pending, in its agency'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, 'pending', NULL, NULL, NULL, NULL, NULL, 51);
SELECT min((j->>'id')::bigint) AS page1_last FROM (
    SELECT violation_doc(v)::jsonb AS j FROM violations v JOIN units u ON u.id = v.unit_id
     WHERE u.agency_id = 9000001 AND v.status = 'pending' ORDER BY v.id DESC LIMIT 50) x \gset
\echo '== 2. The same queue, its second page'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, 'pending', NULL, NULL, NULL, NULL, :page1_last, 51);
\echo '== 3. Pending in one unit (a reviewer)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, 'pending', :unit, NULL, NULL, NULL, NULL, 51);
\echo '== 4. A supervisor, its unit, every status'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('supervisor', 9000001, :unit, NULL, NULL, NULL, NULL, NULL, NULL, 51);
\echo '== 5. A rare code (MOCK_LOCATION, 1%) in the agency'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, NULL, NULL, 'MOCK_LOCATION', NULL, NULL, NULL, 51);
\echo '== 6. A rarer code (IMPOSSIBLE_TRAVEL, 0.5%), pending'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, 'pending', NULL, 'IMPOSSIBLE_TRAVEL', NULL, NULL, NULL, 51);
\echo '== 7. A frequent code (LATE_ARRIVAL, 35%), confirmed'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, 'confirmed', NULL, 'LATE_ARRIVAL', NULL, NULL, NULL, 51);
\echo '== 8. Since a day last week (from only: the newest first)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, NULL, NULL, NULL, current_date - 7, NULL, NULL, 51);
\echo '== 9. One day 200 days ago (both ends, a short span long ago: read by day)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list_in_days('reviewer', 9000001, 0, NULL, NULL, NULL, current_date - 200, current_date - 200, NULL, 51);
\echo '== 10. A week 200 days ago, confirmed (read by day)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list_in_days('reviewer', 9000001, 0, 'confirmed', NULL, NULL, current_date - 206, current_date - 200, NULL, 51);
\echo '== 11. The same week read newest first instead (what reading by day avoids)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, 'confirmed', NULL, NULL, current_date - 206, current_date - 200, NULL, 51);
\echo '== 12. A month of LATE_ARRIVAL, four months ago (read by day)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list_in_days('reviewer', 9000001, 0, NULL, NULL, 'LATE_ARRIVAL', current_date - 120, current_date - 90, NULL, 51);
\echo '== 13. The small agency''s queue (Malang: its rows are a fifth of the table)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000002, 0, 'pending', NULL, NULL, NULL, NULL, NULL, 51);
\echo '== 14. An admin, no filter'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('admin', 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 51);
\echo '== 15. A whole year to today (both ends, but the span reaches today: newest first)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, NULL, NULL, NULL, current_date - 366, current_date, NULL, 51);
\echo '== 16. The same year read by day instead (what reading newest first avoids)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list_in_days('reviewer', 9000001, 0, NULL, NULL, NULL, current_date - 366, current_date, NULL, 51);
\echo '== 17. The worst case: six months ending six months ago (span and distance alike; read newest first)'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, NULL, NULL, NULL, current_date - 366, current_date - 183, NULL, 51);
\echo '== 18. A generic plan (what the plan cache could adopt without force_custom_plan): the rare code again'
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
EXECUTE violation_list('reviewer', 9000001, 0, NULL, NULL, 'MOCK_LOCATION', NULL, NULL, NULL, 51);
