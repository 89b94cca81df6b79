/*
 * The nightly export's reads (store_exports.c): one statement per file, each
 * streamed row by row (db_stream) in a deterministic order, every column
 * already the text the file holds (SQL NULL: an empty field). Run them in the
 * transaction of store_export_begin, one snapshot, so that the files agree
 * with each other. day is "YYYY-MM-DD", already checked.
 */
#ifndef ATTENDANCE_STORE_EXPORTS_H
#define ATTENDANCE_STORE_EXPORTS_H

#include "store.h"

/* Begins the export's read-only snapshot transaction, with its settings. */
enum db_status store_export_begin(struct db_conn *db);

/*
 * One row per active employee, by unit code then NIP: nip, name, unit_code,
 * mode (the roster's, WFO without an entry), first_in and last_out (the day's
 * first "in" and last "out", RFC 3339 in the unit's time zone), late_minutes
 * (the LATE_ARRIVAL's), early_minutes (the EARLY_DEPARTURE of the last "out",
 * if it was early), selfie_attached and inside_geofence ("true" when every
 * check-in of the day was so; NULL without check-ins), presence (how the
 * arrival's place was proved: "kiosk" by a kiosk's code, "gps" by the phone's
 * point; NULL without an arrival or for a vouched record), violations (the day's
 * codes, each once, sorted, joined by ';'), leave (the day's approved leave:
 * its kind, with "HH:MM-HH:MM" for the hours of an izin; NULL without).
 */
enum db_status store_export_attendance(struct db_conn *db, const char *day, db_row_fn fn, void *ctx);

/*
 * One row per unit, by code: code, headcount (active employees), wfo, wfh (by
 * the roster), absent (employees with an ABSENT violation of the day),
 * wfh_percent (of the headcount, two decimals), category, and the policies in
 * force for the unit that day (a JSON array of policy documents, or NULL).
 */
enum db_status store_export_units(struct db_conn *db, const char *day, db_row_fn fn, void *ctx);

/*
 * Every violation of the day, by id: violation_id, nip, unit_code, code,
 * checkin_id (NULL for the closure's), evidence (JSON), status.
 */
enum db_status store_export_violations(struct db_conn *db, const char *day, db_row_fn fn, void *ctx);

/*
 * Streams the discipline cases decided on day (in their unit's zone), by id:
 * case_id, nip, unit_code, year, violation_ids (';'-joined), suggested_sanction,
 * sanction, reason, decided_by (username), decided_at (unit-local RFC 3339).
 */
enum db_status store_export_cases(struct db_conn *db, const char *day, db_row_fn fn, void *ctx);

#endif
