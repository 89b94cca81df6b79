-- Discipline as PP 94/2021 runs it (issue 23, in part; CONTRACT.md,
-- "Discipline as PP 94/2021 runs it"; docs/discipline.md). A violation's
-- decision says only whether there was a valid reason: a sanction is decided
-- on a discipline case, after the employee is summoned and examined (PP
-- 94/2021 Art. 26), on the days accumulated in the year. Employees carry their
-- status, and the thresholds are data per status with their article.

-- ---- a violation's decision carries no sanction any more ----

-- The old rule (sql/0009: confirmed exactly when a sanction is given) goes;
-- decisions stored under it keep their sanction. The service refuses a new
-- one (422 sanction_needs_case, rules/review.c).
DO $$
DECLARE
    name text;
BEGIN
    SELECT conname INTO name FROM pg_constraint
     WHERE conrelid = 'violation_decisions'::regclass AND contype = 'c'
       AND pg_get_constraintdef(oid) LIKE '%confirmed%sanction IS NOT NULL%';
    EXECUTE format('ALTER TABLE violation_decisions DROP CONSTRAINT %I', name);
END $$;
ALTER TABLE violation_decisions ADD CONSTRAINT violation_decisions_sanction_confirmed_check
    CHECK (sanction IS NULL OR decision = 'confirmed');

-- ---- who an employee is: PNS, CPNS or PPPK ----

ALTER TABLE employees ADD COLUMN status text NOT NULL DEFAULT 'pns' CHECK (status IN ('pns', 'cpns', 'pppk'));

CREATE OR REPLACE FUNCTION employee_doc(e employees) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', e.id::text, 'nip', e.nip, 'name', e.name, 'unit_id', e.unit_id::text,
        'birth_date', e.birth_date, 'vulnerable', e.vulnerable, 'active', e.active, 'status', e.status,
        'created_at', e.created_at, 'updated_at', e.updated_at)
$$;

-- ---- thresholds per status, with their article ----

ALTER TABLE discipline_thresholds ADD COLUMN status text NOT NULL DEFAULT 'pns'
    CHECK (status IN ('pns', 'cpns', 'pppk'));
ALTER TABLE discipline_thresholds ADD COLUMN article text;
UPDATE discipline_thresholds SET article = CASE level WHEN 'ringan' THEN 'Art. 9' WHEN 'sedang' THEN 'Art. 10'
                                                      ELSE 'Art. 11' END;
ALTER TABLE discipline_thresholds ALTER COLUMN article SET NOT NULL;
ALTER TABLE discipline_thresholds ALTER COLUMN status DROP DEFAULT;

-- CPNS: PP 94/2021 applies to them as to PNS (its Art. 1), as Peraturan BKN
-- 6/2022 (set 6 April 2022) spells out.
INSERT INTO discipline_thresholds (regulation, in_force_from, kind, min_days, sanction, level, severity, status, article)
SELECT 'PP 94/2021; Peraturan BKN 6/2022', in_force_from, kind, min_days, sanction, level, severity, 'cpns', article
  FROM discipline_thresholds WHERE regulation = 'PP 94/2021';

-- PPPK: PP 49/2018 Art. 52-53 keeps the light sanctions of PNS discipline
-- and ends the contract (pemutusan hubungan perjanjian kerja, recorded as
-- pemberhentian) for the heavy ones; there is no demotion or release from
-- position on a contract. docs/discipline.md says what is to confirm.
INSERT INTO discipline_thresholds (regulation, in_force_from, kind, min_days, sanction, level, severity, status, article)
VALUES ('PP 49/2018', '2021-08-31', 'cumulative', 3, 'teguran_lisan', 'ringan', 1, 'pppk', 'Art. 52-53'),
       ('PP 49/2018', '2021-08-31', 'cumulative', 4, 'teguran_tertulis', 'ringan', 2, 'pppk', 'Art. 52-53'),
       ('PP 49/2018', '2021-08-31', 'cumulative', 7, 'pernyataan_tidak_puas', 'ringan', 3, 'pppk', 'Art. 52-53'),
       ('PP 49/2018', '2021-08-31', 'cumulative', 28, 'pemberhentian', 'berat', 9, 'pppk', 'Art. 52-53'),
       ('PP 49/2018', '2021-08-31', 'consecutive', 10, 'pemberhentian', 'berat', 9, 'pppk', 'Art. 52-53');

-- The 7.5-hour divisor is Peraturan BKN 6/2022's, set on 6 April 2022.
UPDATE discipline_day_minutes SET in_force_from = '2022-04-06', regulation = 'Peraturan BKN 6/2022'
 WHERE in_force_from = '2022-01-01';
