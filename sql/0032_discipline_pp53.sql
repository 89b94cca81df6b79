-- PP 53/2010's ladder for unexcused absence, so that an absence is judged by
-- the regulation in force on its date (issue 23; DOMAIN.md "Discipline";
-- docs/discipline.md "Judged by the rule in force on its date"). PP 53/2010
-- was in force from 6 June 2010 (its Art. 51) until PP 94/2021 replaced it on
-- 31 August 2021: its rows end on 30 August 2021, PP 94/2021's have no end.

-- ---- the sanctions of PP 53/2010 that PP 94/2021 does not have ----

-- Teguran lisan, teguran tertulis, pernyataan tidak puas, pembebasan dari
-- jabatan and pemberhentian keep their codes (the case's regulation says
-- which text they are read in); the medium sanctions, the three-year demotion
-- in rank and the transfer to a lower position have none in PP 94/2021. A case
-- decision may use these only on a case about an absence before 31 August
-- 2021 (rules/cases.c).
ALTER TABLE discipline_thresholds DROP CONSTRAINT discipline_thresholds_sanction_check;
ALTER TABLE discipline_thresholds ADD CONSTRAINT discipline_thresholds_sanction_check CHECK (sanction IN (
    'teguran_lisan', 'teguran_tertulis', 'pernyataan_tidak_puas', 'potong_tukin_6_bulan', 'potong_tukin_9_bulan',
    'potong_tukin_12_bulan', 'penurunan_jabatan', 'pembebasan_jabatan', 'pemberhentian',
    'penundaan_kgb_1_tahun', 'penundaan_pangkat_1_tahun', 'penurunan_pangkat_1_tahun', 'penurunan_pangkat_3_tahun',
    'pemindahan_penurunan_jabatan'));
ALTER TABLE discipline_cases DROP CONSTRAINT discipline_cases_sanction_check;
ALTER TABLE discipline_cases ADD CONSTRAINT discipline_cases_sanction_check CHECK (sanction IN (
    'teguran_lisan', 'teguran_tertulis', 'pernyataan_tidak_puas', 'potong_tukin_6_bulan', 'potong_tukin_9_bulan',
    'potong_tukin_12_bulan', 'penurunan_jabatan', 'pembebasan_jabatan', 'pemberhentian',
    'penundaan_kgb_1_tahun', 'penundaan_pangkat_1_tahun', 'penurunan_pangkat_1_tahun', 'penurunan_pangkat_3_tahun',
    'pemindahan_penurunan_jabatan'));

-- ---- the ladder, for PNS and CPNS alike ----

-- Unexcused absent work days in a year (PP 53/2010 Art. 3 angka 11 with Art.
-- 8 angka 9, Art. 9 angka 11 and Art. 10 angka 9, as secondary sources quote
-- them; the angka are to confirm against the gazette text): 5 teguran lisan;
-- 6-10 teguran tertulis; 11-15 pernyataan tidak puas secara tertulis; 16-20
-- penundaan kenaikan gaji berkala 1 tahun; 21-25 penundaan kenaikan pangkat 1
-- tahun; 26-30 penurunan pangkat setingkat lebih rendah 1 tahun; 31-35
-- penurunan pangkat setingkat lebih rendah 3 tahun; 36-40 pemindahan dalam
-- rangka penurunan jabatan setingkat lebih rendah; 41-45 pembebasan dari
-- jabatan; 46 or more pemberhentian. PP 53/2010 has no rung for a run of
-- consecutive days. Severity orders the rungs; rules/discipline.c compares
-- two ladders by level first, then by it.
INSERT INTO discipline_thresholds (regulation, in_force_from, in_force_to, kind, min_days, sanction, level, severity,
                                   status, article)
SELECT 'PP 53/2010', DATE '2010-06-06', DATE '2021-08-30', 'cumulative', r.min_days, r.sanction, r.level, r.severity,
       s.status, r.article
  FROM (VALUES (5, 'teguran_lisan', 'ringan', 1, 'Art. 8'),
               (6, 'teguran_tertulis', 'ringan', 2, 'Art. 8'),
               (11, 'pernyataan_tidak_puas', 'ringan', 3, 'Art. 8'),
               (16, 'penundaan_kgb_1_tahun', 'sedang', 4, 'Art. 9'),
               (21, 'penundaan_pangkat_1_tahun', 'sedang', 5, 'Art. 9'),
               (26, 'penurunan_pangkat_1_tahun', 'sedang', 6, 'Art. 9'),
               (31, 'penurunan_pangkat_3_tahun', 'berat', 7, 'Art. 10'),
               (36, 'pemindahan_penurunan_jabatan', 'berat', 8, 'Art. 10'),
               (41, 'pembebasan_jabatan', 'berat', 9, 'Art. 10'),
               (46, 'pemberhentian', 'berat', 10, 'Art. 10'))
       AS r (min_days, sanction, level, severity, article),
       -- PP 53/2010 applied to PNS, CPNS included (to confirm: its Art. 1 angka 2 with UU 43/1999). PPPK were
       -- not its subject: PP 49/2018 (in force December 2018) kept its own rows (sql/0024), from 31 August 2021.
       (VALUES ('pns'), ('cpns')) AS s (status);
