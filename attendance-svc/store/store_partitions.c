/*
 * Monthly partitions and the selfie retention (sql/0015; docs/scaling.md).
 */
#include "store_partitions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The partitions this month needs through two months ahead (docs/scaling.md). */
#define MONTHS_AHEAD "2"

const struct db_statement store_partitions_statements[] = {
    {"partitions_make",
     "SELECT create_month_partitions(current_date,"
     "                               (current_date + interval '" MONTHS_AHEAD " months')::date),"
     "       default_partition_rows()"},
    /* A file may be kept by a record of a later day (the same bytes sent again): then it stays. */
    {"selfies_to_purge",
     "SELECT DISTINCT s.sha256 FROM selfies s"
     " WHERE s.day < $1::date - $2::int AND s.purged_at IS NULL"
     "   AND NOT EXISTS (SELECT 1 FROM selfies n WHERE n.sha256 = s.sha256 AND n.day >= $1::date - $2::int)"
     " LIMIT $3"},
    {"selfies_mark_purged",
     "UPDATE selfies SET purged_at = now()"
     " WHERE sha256 = ANY ($3::text[]) AND day < $1::date - $2::int AND purged_at IS NULL"},
    {NULL, NULL},
};

enum db_status store_partitions_make(struct db_conn *db, long *made, long *stray)
{
    enum db_status st;
    PGresult *r = db_exec(db, "partitions_make", 0, NULL, &st);
    *made = *stray = 0;
    if (r && PQntuples(r) == 1) {
        *made = strtol(PQgetvalue(r, 0, 0), NULL, 10);
        *stray = strtol(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return st;
}

enum db_status store_selfies_to_purge(struct db_conn *db, const char *day, unsigned days, size_t max,
                                      char (*hashes)[65], size_t *count)
{
    char days_text[24], limit[24];
    snprintf(days_text, sizeof days_text, "%u", days);
    snprintf(limit, sizeof limit, "%zu", max);
    const char *params[] = {day, days_text, limit};
    enum db_status st;
    PGresult *r = db_exec(db, "selfies_to_purge", 3, params, &st);
    *count = 0;
    for (int i = 0; r && i < PQntuples(r) && *count < max; i++)
        snprintf(hashes[(*count)++], 65, "%s", PQgetvalue(r, i, 0));
    PQclear(r);
    return st;
}

enum db_status store_selfies_mark_purged(struct db_conn *db, const char *day, unsigned days, char (*hashes)[65],
                                         size_t count, long *marked)
{
    char days_text[24];
    snprintf(days_text, sizeof days_text, "%u", days);
    /* A text array literal: the hashes are 64 hex digits, nothing to quote. */
    char *array = malloc(count * 65 + 3);
    *marked = 0;
    if (!array)
        return DB_UNAVAILABLE;
    size_t n = 0;
    array[n++] = '{';
    for (size_t i = 0; i < count; i++) {
        if (i)
            array[n++] = ',';
        memcpy(array + n, hashes[i], 64);
        n += 64;
    }
    array[n++] = '}';
    array[n] = '\0';
    const char *params[] = {day, days_text, array};
    enum db_status st;
    PGresult *r = db_exec(db, "selfies_mark_purged", 3, params, &st);
    *marked = r ? strtol(PQcmdTuples(r), NULL, 10) : 0;
    PQclear(r);
    free(array);
    return st;
}
