/*
 * The database behind one interface. Each store_*.c file owns the prepared
 * statements of one table group (their SQL sits next to the C that binds them)
 * and exports them in a set; store_statement_sets lists every set, and the pool
 * prepares them all on each connection. Nothing outside store/ writes SQL.
 */
#ifndef ATTENDANCE_STORE_H
#define ATTENDANCE_STORE_H

#include "auth.h"
#include "db.h"

#include <jansson.h>
#include <stdbool.h>

extern const struct db_statement *const store_statement_sets[];
/* What each new connection runs before its first request (db.h): the check-in's batch, empty. */
extern const struct db_warm_up store_warm_ups[];

/* Shared by the store files. */
/* id as decimal text in buf, or NULL (SQL NULL) when id is 0. */
const char *id_text(char buf[24], long long id);
/* The JSON document in column col of row (parsed), or NULL if it is SQL NULL or unparsable. */
json_t *store_doc(const PGresult *r, int row, int col);
/* Column col of every row as a JSON array of documents. */
json_t *store_docs(const PGresult *r, int col);
/*
 * Runs a statement whose only column is a document and returns that of its
 * first row (NULL with *status DB_OK when there is no row).
 */
json_t *store_doc_exec(struct db_conn *db, const char *statement, int nparams, const char *const *params,
                       enum db_status *status);
/* The same for every row, as an array (NULL only on failure). */
json_t *store_docs_exec(struct db_conn *db, const char *statement, int nparams, const char *const *params,
                        enum db_status *status);

/*
 * The units the caller may see, as an SQL condition on a units row aliased u,
 * with the caller bound as $1 (role), $2 (agency id) and $3 (unit id) by
 * store_scope_params: admins see every unit, reviewers their agency, and
 * supervisors their own unit and every unit under it (units_under, sql/0023:
 * a head of department supervises the sections under it). The subtree is a
 * subquery of the caller alone, computed once per statement.
 */
#define SCOPE_SQL(u)                                                                                        \
    "($1 = 'admin' OR ($1 = 'reviewer' AND " u ".agency_id = $2) OR ($1 = 'supervisor' AND " u ".agency_id = $2" \
    " AND " u ".id IN (SELECT units_under($3::bigint))))"
void store_scope_params(const struct auth *a, char agency[24], char unit[24], const char *out[3]);

/*
 * Whether unit_id is ancestor_id or a unit under it (*within), for the checks
 * made in C (request_sees_unit).
 */
enum db_status store_unit_within(struct db_conn *db, long long unit_id, long long ancestor_id, bool *within);

#endif
