/*
 * The employee's own records (see store_me.h).
 */
#include "store_me.h"

#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_me_statements[] = {
    {"me_checkins",
     "SELECT json_build_object('id', c.id::text, 'type', c.type, 'mode', c.mode, 'local_day', c.local_day,"
     "        'times', checkin_times_doc(c.captured_at, c.received_at, c.judged_at, u.timezone),"
     "        'inside', c.inside, 'distance_m', c.distance_m, 'place', c.place, 'source', c.source,"
     "        'counts_for_day', c.counts_for_day, 'selfie_attached', c.selfie_sha256 IS NOT NULL,"
     "        'violations', (SELECT coalesce(json_agg(json_build_object('violation_id', v.id::text, 'code', v.code,"
     "                                                                  'status', v.status) ORDER BY v.id), '[]')"
     "                       FROM violations v WHERE v.checkin_id = c.id AND v.day = c.local_day))"
     "  FROM checkins c JOIN units u ON u.id = c.unit_id WHERE c.employee_id = $1"
     "   AND ($2::date IS NULL OR c.local_day >= $2)"
     "   AND ($3::date IS NULL OR c.local_day <= $3) AND ($4::bigint IS NULL OR c.id < $4)"
     " ORDER BY c.id DESC LIMIT $5"},
    {"me_violations",
     "SELECT (violation_doc(v)::jsonb || jsonb_build_object('explanation',"
     "         (SELECT json_build_object('text', x.text, 'explained_at', x.explained_at)"
     "            FROM violation_explanations x WHERE x.violation_id = v.id)))::json"
     "  FROM violations v WHERE v.employee_id = $1 AND ($2::text IS NULL OR v.status = $2)"
     "   AND ($3::bigint IS NULL OR v.id < $3) ORDER BY v.id DESC LIMIT $4"},
    /* The employee's unit, and the day asked for or else today on the unit's clock. */
    {"me_day_of",
     "SELECT e.unit_id::text, coalesce($2::date, (now() AT TIME ZONE u.timezone)::date)::text, u.timezone"
     "  FROM employees e JOIN units u ON u.id = e.unit_id WHERE e.id = $1"},
    {NULL, NULL},
};

json_t *store_me_checkins(struct db_conn *db, long long employee_id, const char *from, const char *to,
                          long long before_id, int limit, enum db_status *status)
{
    char emp[24], before[24], limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *params[] = {id_text(emp, employee_id), from, to, id_text(before, before_id), limit_text};
    return store_docs_exec(db, "me_checkins", 5, params, status);
}

json_t *store_me_violations(struct db_conn *db, long long employee_id, const char *status, long long before_id,
                            int limit, enum db_status *status_out)
{
    char emp[24], before[24], limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *params[] = {id_text(emp, employee_id), status, id_text(before, before_id), limit_text};
    return store_docs_exec(db, "me_violations", 4, params, status_out);
}

enum db_status store_me_day_of(struct db_conn *db, long long employee_id, const char *day, long long *unit_id,
                               char date[11], char zone[64])
{
    char emp[24];
    const char *params[] = {id_text(emp, employee_id), day};
    enum db_status st;
    PGresult *r = db_exec(db, "me_day_of", 2, params, &st);
    if (!r)
        return st;
    *unit_id = 0;
    if (PQntuples(r) == 1) {
        *unit_id = atoll(PQgetvalue(r, 0, 0));
        snprintf(date, 11, "%s", PQgetvalue(r, 0, 1));
        snprintf(zone, 64, "%s", PQgetvalue(r, 0, 2));
    }
    PQclear(r);
    return st;
}
