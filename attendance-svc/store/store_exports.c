/*
 * The nightly export's statements. Text is ordered COLLATE "C" (by bytes), so
 * that the files do not depend on the database's locale.
 */
#include "store_exports.h"

/* A whole number of minutes from the evidence of violation v, or NULL if the evidence has none. */
#define EVIDENCE_MINUTES(key) \
    "CASE WHEN jsonb_typeof(v.evidence -> '" key "') = 'number' THEN (v.evidence ->> '" key "')::numeric END"

/*
 * The employees of day $1 and the unit each belonged to: the latest membership
 * (sql/0007) that overlaps the unit's local day, so that someone who joined,
 * left or moved since is exported as that day was, once.
 */
#define DAY_MEMBERS                                                                                        \
    "members AS ("                                                                                         \
    "   SELECT DISTINCT ON (eu.employee_id) eu.employee_id, eu.unit_id"                                    \
    "     FROM employee_units eu JOIN units u ON u.id = eu.unit_id"                                        \
    "    WHERE eu.valid_from < ($1::date + 1)::timestamp AT TIME ZONE u.timezone"                          \
    "      AND (eu.valid_to IS NULL OR eu.valid_to > ($1::date)::timestamp AT TIME ZONE u.timezone)"       \
    "    ORDER BY eu.employee_id, eu.valid_from DESC)"

const struct db_statement store_exports_statements[] = {
    /*
     * For the export's transaction only: JIT compilation would cost these
     * statements more than it saves (1.5 s of 3.5 at 100,000 employees, see
     * docs/export.md).
     */
    {"export_settings", "SELECT set_config('jit', 'off', true)"},
    /*
     * The day's check-ins are found unit by unit through checkins_unit_day_idx;
     * its violations through violations_employee_day_idx. First in and last out
     * are the day's arrival and departure (day_attendance, sql/0016: judged
     * times of the check-ins that count), read by each member's key. Early
     * minutes are those of the departure, if it was early, else the unit's
     * missing_out_minutes fixed in a NO_CHECKOUT's evidence.
     */
    {"export_attendance",
     "WITH " DAY_MEMBERS ","
     " day_checkins AS ("
     "   SELECT c.employee_id,"
     "          bool_and(c.selfie_sha256 IS NOT NULL) AS selfie_attached, bool_and(c.inside) AS inside"
     "     FROM units u JOIN checkins c ON c.unit_id = u.id AND c.local_day = $1::date"
     "    GROUP BY c.employee_id),"
     " day_violations AS ("
     "   SELECT v.employee_id,"
     "          string_agg(DISTINCT v.code COLLATE \"C\", ';' ORDER BY v.code COLLATE \"C\") AS codes,"
     "          max(" EVIDENCE_MINUTES("late_minutes") ") FILTER (WHERE v.code = 'LATE_ARRIVAL') AS late_minutes,"
     "          max(" EVIDENCE_MINUTES("early_minutes") ") FILTER (WHERE v.code = 'NO_CHECKOUT') AS missing_out_minutes"
     "     FROM violations v WHERE v.day = $1::date"
     "    GROUP BY v.employee_id),"
     " early AS ("
     "   SELECT v.checkin_id, max(" EVIDENCE_MINUTES("early_minutes") ") AS early_minutes"
     "     FROM violations v WHERE v.day = $1::date AND v.code = 'EARLY_DEPARTURE'"
     "    GROUP BY v.checkin_id)"
     " SELECT e.nip, e.name, u.code, coalesce(r.mode, 'WFO'),"
     "        local_rfc3339(a.arrival_at, u.timezone), local_rfc3339(a.departure_at, u.timezone),"
     "        round(coalesce(dv.late_minutes, 0))::text,"
     "        round(coalesce(early.early_minutes, dv.missing_out_minutes, 0))::text,"
     "        d.selfie_attached::text, d.inside::text, a.arrival_presence, dv.codes,"
     /* The day's approved leave: its kind, and its hours for an izin of hours. */
     "        (SELECT l.kind || coalesce(' ' || lpad((l.start_min / 60)::text, 2, '0') || ':'"
     "                || lpad((l.start_min % 60)::text, 2, '0') || '-' || lpad((l.end_min / 60)::text, 2, '0')"
     "                || ':' || lpad((l.end_min % 60)::text, 2, '0'), '')"
     "           FROM leave_on_day(e.id, $1::date) l WHERE l.id IS NOT NULL)"
     "   FROM members m JOIN employees e ON e.id = m.employee_id JOIN units u ON u.id = m.unit_id"
     "   LEFT JOIN roster_entries r ON r.employee_id = e.id AND r.day = $1::date"
     "   LEFT JOIN day_checkins d ON d.employee_id = e.id"
     "   LEFT JOIN LATERAL (SELECT * FROM day_attendance x WHERE x.employee_id = e.id AND x.local_day = $1::date) a"
     "     ON true"
     "   LEFT JOIN day_violations dv ON dv.employee_id = e.id"
     "   LEFT JOIN early ON early.checkin_id = a.departure_id"
     "  ORDER BY u.code COLLATE \"C\", e.nip COLLATE \"C\""},
    /* The policies covering a unit: in force that day, naming its category, unscoped or scoped to it or above it. */
    {"export_units",
     "WITH RECURSIVE up (unit_id, id) AS ("
     "   SELECT id, id FROM units"
     "   UNION ALL SELECT up.unit_id, u.parent_id FROM up JOIN units u ON u.id = up.id WHERE u.parent_id IS NOT NULL),"
     " " DAY_MEMBERS ","
     " staff AS ("
     /* A rest day (OFF) is at neither place: no WFO (the file's columns are the contract's). */
     "   SELECT m.unit_id, count(*) AS headcount, count(*) FILTER (WHERE r.mode = 'WFH') AS wfh,"
     "          count(*) FILTER (WHERE r.mode = 'OFF') AS off"
     "     FROM members m LEFT JOIN roster_entries r ON r.employee_id = m.employee_id AND r.day = $1::date"
     "    GROUP BY m.unit_id),"
     " absent AS ("
     "   SELECT v.unit_id, count(DISTINCT v.employee_id) AS n FROM violations v"
     "    WHERE v.day = $1::date AND v.code = 'ABSENT' GROUP BY v.unit_id)"
     " SELECT u.code, coalesce(s.headcount, 0)::text, coalesce(s.headcount - s.wfh - s.off, 0)::text,"
     "        coalesce(s.wfh, 0)::text, coalesce(a.n, 0)::text,"
     "        CASE WHEN coalesce(s.headcount, 0) = 0 THEN '0.00' ELSE round(100.0 * s.wfh / s.headcount, 2)::text END,"
     "        u.category,"
     "        (SELECT json_agg(policy_doc(p) ORDER BY p.id) FROM policies p"
     "          WHERE $1::date BETWEEN p.starts_on AND p.ends_on AND u.category = ANY (p.applies_to)"
     "            AND (p.unit_id IS NULL OR p.unit_id IN (SELECT up.id FROM up WHERE up.unit_id = u.id)))"
     "   FROM units u LEFT JOIN staff s ON s.unit_id = u.id LEFT JOIN absent a ON a.unit_id = u.id"
     "  ORDER BY u.code COLLATE \"C\""},
    /* The decision in force is the one that made the violation's version (sql/0009). */
    {"export_violations",
     "SELECT v.id::text, e.nip, u.code, v.code, v.checkin_id::text, v.evidence::text, v.status,"
     "       d.sanction, d.note, a.username, local_rfc3339(d.decided_at, u.timezone)"
     "  FROM violations v JOIN employees e ON e.id = v.employee_id JOIN units u ON u.id = v.unit_id"
     "  LEFT JOIN violation_decisions d ON d.violation_id = v.id AND d.version = v.version"
     "  LEFT JOIN accounts a ON a.id = d.decided_by"
     " WHERE v.day = $1::date"
     " ORDER BY v.id"},
    /* The cases decided on $1 in the unit's zone; decided cases are few, and read by their status. */
    {"export_cases",
     "SELECT c.id::text, e.nip, u.code, c.year::text,"
     "       (SELECT string_agg(x.violation_id::text, ';' ORDER BY x.violation_id)"
     "          FROM discipline_case_violations x WHERE x.case_id = c.id),"
     "       c.suggested_sanction, c.sanction, c.reason, a.username, local_rfc3339(c.decided_at, u.timezone)"
     "  FROM discipline_cases c JOIN employees e ON e.id = c.employee_id JOIN units u ON u.id = c.unit_id"
     "  LEFT JOIN accounts a ON a.id = c.decided_by"
     " WHERE c.status = 'decided' AND (c.decided_at AT TIME ZONE u.timezone)::date = $1::date"
     " ORDER BY c.id"},
    {NULL, NULL},
};

enum db_status store_export_begin(struct db_conn *db)
{
    enum db_status st = db_begin_snapshot(db);
    PGresult *r = st == DB_OK ? db_exec(db, "export_settings", 0, NULL, &st) : NULL;
    PQclear(r);
    return st;
}

enum db_status store_export_attendance(struct db_conn *db, const char *day, db_row_fn fn, void *ctx)
{
    const char *params[] = {day};
    return db_stream(db, "export_attendance", 1, params, fn, ctx);
}

enum db_status store_export_units(struct db_conn *db, const char *day, db_row_fn fn, void *ctx)
{
    const char *params[] = {day};
    return db_stream(db, "export_units", 1, params, fn, ctx);
}

enum db_status store_export_violations(struct db_conn *db, const char *day, db_row_fn fn, void *ctx)
{
    const char *params[] = {day};
    return db_stream(db, "export_violations", 1, params, fn, ctx);
}

enum db_status store_export_cases(struct db_conn *db, const char *day, db_row_fn fn, void *ctx)
{
    const char *params[] = {day};
    return db_stream(db, "export_cases", 1, params, fn, ctx);
}
