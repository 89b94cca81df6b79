/*
 * The nightly job's runs (sql/0011, store_export_runs.c): recorded by
 * attendance-svc nightly, listed for the console's export page.
 */
#ifndef ATTENDANCE_STORE_EXPORT_RUNS_H
#define ATTENDANCE_STORE_EXPORT_RUNS_H

#include "store.h"

/* A finished run's outcome. */
struct export_run_end {
    const char *failed_step;   /* NULL when it succeeded, else "close", "write" or "upload" */
    long absent, no_checkout;  /* flagged by its closure; -1 when the closure did not run */
    const char *files_json;    /* a JSON array of {"name", "rows", "sha256"}, or NULL for none */
};

/* Records a run of day starting now; its id in run_id. upload_url is NULL without --upload. */
enum db_status store_export_run_start(struct db_conn *db, const char *day, const char *out_dir,
                                      const char *upload_url, long long *run_id);

/* Records how run_id ended. */
enum db_status store_export_run_finish(struct db_conn *db, long long run_id, const struct export_run_end *end);

/*
 * Runs newest first, before before_id (0: from the newest), of one day and
 * one status when given (NULL: any); at most limit documents. To any caller
 * but an admin, a run shows its closure's figures of the caller's agency only
 * and its files without their rows (each file holds every agency's).
 */
json_t *store_export_run_list(struct db_conn *db, const struct auth *a, const char *day, const char *status,
                              long long before_id, int limit,
                              enum db_status *st);

#endif
