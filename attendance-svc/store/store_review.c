/*
 * The review of violations: the console's list, a violation with its evidence,
 * decisions (optimistic: a decision names the version it was made on), and the
 * selfie of a check-in. A violation is in the scope of its own unit (the unit
 * of the check-in or of the closed day), not of its employee's current unit.
 *
 * The list takes optional filters, and the best plan depends on which are
 * given: the queue of pending violations reads violations_pending_idx newest
 * first, a unit's list violations_unit_id_idx, a code's violations_code_id_idx.
 * A generic plan (which the plan cache adopts after five executions when it
 * guesses it cheaper) can use none of them, so the list is planned for its
 * filters on every call (plan_cache_mode, for its transaction only). A short
 * span of days long ago is read by day and sorted (violation_list_in_days),
 * because reading newest first would pass over every violation after the span
 * (read_by_day): see docs/performance.md, "Violation listing", and
 * tests/bench/violations, which runs these statements' text.
 */
#include "store_review.h"

#include "dates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $1-$3 the caller (SCOPE_SQL), $4 status, $5 unit, $6 code, $7 from, $8 to, $9 below this id; NULL: any. */
#define VIOLATION_LIST_FROM_WHERE                                                                          \
    " FROM violations v JOIN units u ON u.id = v.unit_id"                                                  \
    " WHERE " SCOPE_SQL("u") " AND ($4::text IS NULL OR v.status = $4) AND ($5::bigint IS NULL OR v.unit_id = $5)" \
    "   AND ($6::text IS NULL OR v.code = $6) AND ($7::date IS NULL OR v.day >= $7)"                      \
    "   AND ($8::date IS NULL OR v.day <= $8) AND ($9::bigint IS NULL OR v.id < $9)"

/* Minutes after midnight as "HH:MM" (1440 is "24:00"). */
#define HHMM(m) "lpad((" m " / 60)::text, 2, '0') || ':' || lpad((" m " % 60)::text, 2, '0')"

const struct db_statement store_review_statements[] = {
    {"review_plan_per_call", "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"},
    {"violation_list", "SELECT violation_doc(v)" VIOLATION_LIST_FROM_WHERE " ORDER BY v.id DESC LIMIT $10"},
    /* "+ 0": the same order, but not read from the primary key (see above). */
    {"violation_list_in_days",
     "SELECT violation_doc(v)" VIOLATION_LIST_FROM_WHERE " ORDER BY v.id + 0 DESC LIMIT $10"},
    /* The policies in force: that day's, naming the unit's category, unscoped or scoped to the unit or above it. */
    {"violation_evidence",
     "WITH RECURSIVE"
     " v AS (SELECT * FROM violations WHERE id = $1),"
     " unit AS (SELECT u.* FROM units u JOIN v ON u.id = v.unit_id),"
     " up (id, parent_id) AS (SELECT id, parent_id FROM unit"
     "      UNION ALL SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)"
     " SELECT json_build_object("
     "  'violation', violation_doc(v),"
     "  'employee', (SELECT json_build_object('id', e.id::text, 'nip', e.nip, 'name', e.name,"
     "                                        'unit_id', e.unit_id::text)"
     "               FROM employees e WHERE e.id = v.employee_id),"
     "  'unit', json_build_object('id', unit.id::text, 'code', unit.code, 'name', unit.name,"
     "                            'category', unit.category, 'timezone', unit.timezone,"
     "                            'sync_tolerance_s', unit.sync_tolerance_s),"
     "  'checkin', (SELECT json_build_object('id', c.id::text, 'type', c.type, 'mode', c.mode, 'lat', c.lat,"
     "                                       'lon', c.lon, 'accuracy_m', c.accuracy_m,"
     "                                       'mock_location', c.mock_location, 'inside', c.inside,"
     "                                       'distance_m', c.distance_m, 'place', c.place,"
     "                                       'captured_at', c.captured_at, 'received_at', c.received_at,"
     "                                       'judged_at', c.judged_at, 'counts_for_day', c.counts_for_day,"
     "                                       'after_closure', c.after_closure, 'source', c.source,"
     "                                       'vouched_by', c.vouched_by::text,"
     "                                       'presence', CASE WHEN c.presence_kiosk_id IS NOT NULL THEN"
     "                                         json_build_object('kiosk_id', c.presence_kiosk_id::text,"
     "                                                           't', c.presence_t) END,"
     "                                       'local_day', c.local_day, 'device_id', c.device_id::text,"
     "                                       'selfie_attached', c.selfie_sha256 IS NOT NULL)"
     "              FROM checkins c WHERE c.id = v.checkin_id AND c.local_day = v.day),"
     "  'roster', (SELECT json_build_object('mode', r.mode, 'start', " HHMM("r.start_min") ","
     "                                      'end', " HHMM("r.end_min") ")"
     "             FROM roster_entries r WHERE r.employee_id = v.employee_id AND r.day = v.day),"
     "  'policies', (SELECT coalesce(json_agg(policy_doc(p) ORDER BY p.id), '[]') FROM policies p"
     "               WHERE v.day BETWEEN p.starts_on AND p.ends_on AND unit.category = ANY (p.applies_to)"
     "                 AND (p.unit_id IS NULL OR p.unit_id IN (SELECT id FROM up))),"
     "  'decisions', (SELECT coalesce(json_agg(violation_decision_doc(d) ORDER BY d.version), '[]')"
     "                FROM violation_decisions d WHERE d.violation_id = v.id),"
     "  'explanation', (SELECT json_build_object('text', x.text, 'explained_at', x.explained_at)"
     "                  FROM violation_explanations x WHERE x.violation_id = v.id),"
     "  'leave', (SELECT leave_doc(l) FROM leave_on_day(v.employee_id, v.day) l WHERE l.id IS NOT NULL)),"
     " unit.id, unit.agency_id"
     " FROM v, unit"},
    /* Under the row lock of the UPDATE, a concurrent decision on the same version finds it gone. */
    {"violation_decide",
     "WITH bumped AS (UPDATE violations SET status = $3, version = version + 1"
     "                 WHERE id = $1 AND version = $2 RETURNING id, day, version)"
     " INSERT INTO violation_decisions (violation_id, violation_day, version, decision, sanction, note, decided_by)"
     " SELECT id, day, version, $3, $4, $5, $6 FROM bumped RETURNING version"},
    /* The employee's own pending violation only; a second explanation replaces the first. */
    {"violation_explain",
     "INSERT INTO violation_explanations (violation_id, violation_day, text)"
     " SELECT v.id, v.day, $3 FROM violations v WHERE v.id = $1 AND v.employee_id = $2 AND v.status = 'pending'"
     " ON CONFLICT (violation_id) DO UPDATE SET text = EXCLUDED.text, explained_at = now()"
     " RETURNING json_build_object('violation_id', violation_id::text, 'text', text, 'explained_at', explained_at)"},
    {"checkin_selfie",
     "SELECT coalesce(c.selfie_sha256, ''), coalesce(s.content_type, ''), c.unit_id, u.agency_id,"
     "       s.purged_at IS NOT NULL"
     "  FROM checkins c JOIN units u ON u.id = c.unit_id"
     "  LEFT JOIN selfies s ON s.sha256 = c.selfie_sha256 AND s.day = c.local_day"
     " WHERE c.id = $1"},
    {NULL, NULL},
};

/*
 * Whether the span of days is better read by day and sorted than newest first:
 * the first reads the span's violations, the second those after the span
 * before it finds the span's (ids follow the days), so the shorter wins.
 */
static bool read_by_day(const struct violation_filter *f)
{
    int64_t from, to;
    if (!f->from || !f->to || date_parse(f->from, &from) != 0 || date_parse(f->to, &to) != 0)
        return false;
    return to - from < date_today(0) - to;
}

json_t *store_violation_list(struct db_conn *db, const struct auth *a, const struct violation_filter *f,
                             long long before_id, int limit, enum db_status *status)
{
    PQclear(db_exec(db, "review_plan_per_call", 0, NULL, status));
    if (*status != DB_OK)
        return NULL;
    char agency[24], unit[24], filter_unit[24], before[24], limit_text[16];
    const char *params[10];
    store_scope_params(a, agency, unit, params);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    params[3] = f->status;
    params[4] = id_text(filter_unit, f->unit_id);
    params[5] = f->code;
    params[6] = f->from;
    params[7] = f->to;
    params[8] = id_text(before, before_id);
    params[9] = limit_text;
    return store_docs_exec(db, read_by_day(f) ? "violation_list_in_days" : "violation_list", 10, params, status);
}

json_t *store_violation_evidence(struct db_conn *db, long long violation_id, long long *unit_id,
                                 long long *agency_id, enum db_status *status)
{
    char id[24];
    const char *params[] = {id_text(id, violation_id)};
    PGresult *r = db_exec(db, "violation_evidence", 1, params, status);
    if (!r)
        return NULL;
    json_t *doc = store_doc(r, 0, 0);
    *unit_id = doc ? atoll(PQgetvalue(r, 0, 1)) : 0;
    *agency_id = doc ? atoll(PQgetvalue(r, 0, 2)) : 0;
    PQclear(r);
    return doc;
}

enum db_status store_violation_decide(struct db_conn *db, long long violation_id, int version, const char *decision,
                                      const char *sanction, const char *note, long long decided_by, bool *decided)
{
    char id[24], version_text[16], by[24];
    snprintf(version_text, sizeof version_text, "%d", version);
    const char *params[] = {id_text(id, violation_id), version_text, decision, sanction, note,
                            id_text(by, decided_by)};
    enum db_status st;
    PGresult *r = db_exec(db, "violation_decide", 6, params, &st);
    if (!r)
        return st;
    *decided = PQntuples(r) == 1;
    PQclear(r);
    return DB_OK;
}

enum db_status store_checkin_selfie(struct db_conn *db, long long checkin_id, struct checkin_selfie *out,
                                    bool *found)
{
    char id[24];
    const char *params[] = {id_text(id, checkin_id)};
    enum db_status st;
    PGresult *r = db_exec(db, "checkin_selfie", 1, params, &st);
    if (!r)
        return st;
    *found = PQntuples(r) == 1;
    if (*found) {
        snprintf(out->sha256, sizeof out->sha256, "%s", PQgetvalue(r, 0, 0));
        snprintf(out->content_type, sizeof out->content_type, "%s", PQgetvalue(r, 0, 1));
        out->unit_id = atoll(PQgetvalue(r, 0, 2));
        out->agency_id = atoll(PQgetvalue(r, 0, 3));
        out->purged = strcmp(PQgetvalue(r, 0, 4), "t") == 0;
    }
    PQclear(r);
    return DB_OK;
}

json_t *store_violation_explain(struct db_conn *db, long long violation_id, long long employee_id, const char *text,
                                enum db_status *status)
{
    char id[24], emp[24];
    const char *params[] = {id_text(id, violation_id), id_text(emp, employee_id), text};
    return store_doc_exec(db, "violation_explain", 3, params, status);
}
