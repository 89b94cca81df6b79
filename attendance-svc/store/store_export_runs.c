/*
 * The nightly job's runs (sql/0011).
 */
#include "store_export_runs.h"

#include <stdio.h>
#include <stdlib.h>

const struct db_statement store_export_runs_statements[] = {
    {"export_run_start", "INSERT INTO export_runs (day, out_dir, upload_url) VALUES ($1, $2, $3) RETURNING id"},
    {"export_run_finish",
     "UPDATE export_runs SET status = CASE WHEN $2::text IS NULL THEN 'succeeded' ELSE 'failed' END,"
     "       failed_step = $2, finished_at = now(), absent_flagged = $3, no_checkout_flagged = $4,"
     "       files = coalesce($5::jsonb, '[]')"
     " WHERE id = $1"},
    /*
     * A run is the whole service's night. An admin ($5) sees it as it is; a
     * reviewer sees it with its own agency's figures ($6) only: what the
     * closure flagged in its units that day, and the files without their rows
     * (every agency's).
     */
    {"export_run_list",
     "SELECT CASE WHEN $5 = 'admin' THEN export_run_doc(r)::jsonb"
     "       ELSE export_run_doc(r)::jsonb || jsonb_build_object("
     "        'closure', CASE WHEN r.absent_flagged IS NULL THEN NULL ELSE"
     "          (SELECT jsonb_build_object('absent', count(*) FILTER (WHERE v.code = 'ABSENT'),"
     "                                     'no_checkout', count(*) FILTER (WHERE v.code = 'NO_CHECKOUT'))"
     "             FROM violations v JOIN units u ON u.id = v.unit_id"
     "            WHERE v.day = r.day AND v.code IN ('ABSENT', 'NO_CHECKOUT') AND u.agency_id = $6::bigint) END,"
     "        'files', (SELECT coalesce(jsonb_agg(f.file || jsonb_build_object('rows', NULL) ORDER BY f.n), '[]')"
     "                    FROM jsonb_array_elements(r.files) WITH ORDINALITY AS f (file, n))) END"
     "  FROM export_runs r"
     " WHERE ($1::date IS NULL OR r.day = $1) AND ($2::text IS NULL OR r.status = $2)"
     "   AND ($3::bigint IS NULL OR r.id < $3)"
     " ORDER BY r.id DESC LIMIT $4"},
    {NULL, NULL},
};

enum db_status store_export_run_start(struct db_conn *db, const char *day, const char *out_dir,
                                      const char *upload_url, long long *run_id)
{
    const char *params[] = {day, out_dir, upload_url};
    enum db_status st;
    PGresult *r = db_exec(db, "export_run_start", 3, params, &st);
    *run_id = r && PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return st;
}

enum db_status store_export_run_finish(struct db_conn *db, long long run_id, const struct export_run_end *end)
{
    char id[24], absent[24], no_checkout[24];
    bool closed = end->absent >= 0;
    snprintf(absent, sizeof absent, "%ld", end->absent);
    snprintf(no_checkout, sizeof no_checkout, "%ld", end->no_checkout);
    const char *params[] = {id_text(id, run_id), end->failed_step, closed ? absent : NULL, closed ? no_checkout : NULL,
                            end->files_json};
    enum db_status st;
    PQclear(db_exec(db, "export_run_finish", 5, params, &st));
    return st;
}

json_t *store_export_run_list(struct db_conn *db, const struct auth *a, const char *day, const char *status,
                              long long before_id, int limit, enum db_status *st)
{
    char before[24], limit_text[16], agency[24], unit[24];
    const char *scope[3];
    store_scope_params(a, agency, unit, scope);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *params[] = {day, status, id_text(before, before_id), limit_text, scope[0], scope[1]};
    return store_docs_exec(db, "export_run_list", 6, params, st);
}
