/*
 * Statements for the health and readiness checks.
 */
#include "store_health.h"

#include <stdlib.h>

const struct db_statement store_health_statements[] = {
    {"schema_version", "SELECT coalesce(max(version), 0) FROM schema_migrations"},
    {NULL, NULL},
};

int store_schema_version(struct db_conn *conn, enum db_status *status)
{
    PGresult *r = db_exec(conn, "schema_version", 0, NULL, status);
    if (!r)
        return -1;
    int version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return version;
}
