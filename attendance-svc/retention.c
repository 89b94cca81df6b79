#include "retention.h"

#include "log.h"
#include "selfie_store.h"
#include "store/store_partitions.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define PURGE_BATCH 500

int partitions_make_ahead(struct db_conn *db)
{
    long made, stray;
    if (store_partitions_make(db, &made, &stray) != DB_OK) {
        log_error("partitions: the monthly partitions ahead could not be made (see the database's log)");
        return -1;
    }
    log_fields(LOG_LEVEL_INFO, "partitions: months ahead made",
               json_pack("{s:I, s:I}", "made", (json_int_t)made, "default_partition_rows", (json_int_t)stray));
    if (stray > 0)
        log_warn("partitions: %ld rows sit in the default partitions: a month had no partition (docs/scaling.md)",
                 stray);
    return 0;
}

int selfie_retention_run(struct db_conn *db, const char *dir, const char *day, unsigned days)
{
    if (days == 0)
        return 0;
    char hashes[PURGE_BATCH][65];
    long purged = 0;
    for (;;) {
        size_t count, deleted = 0;
        if (store_selfies_to_purge(db, day, days, PURGE_BATCH, hashes, &count) != DB_OK)
            goto db_failed;
        int failed = 0;
        for (size_t i = 0; i < count; i++) {
            char path[4096];
            if (selfie_store_path(dir, hashes[i], path, sizeof path) != 0 || (unlink(path) != 0 && errno != ENOENT)) {
                log_error("retention: the selfie %s cannot be deleted from %s: %s", hashes[i], dir, strerror(errno));
                failed = 1;
                continue;
            }
            /* Deleted: keep it for marking (the batch is compacted in place). */
            if (deleted != i)
                memcpy(hashes[deleted], hashes[i], sizeof hashes[i]);
            deleted++;
        }
        long marked = 0;
        if (deleted > 0 && store_selfies_mark_purged(db, day, days, hashes, deleted, &marked) != DB_OK)
            goto db_failed;
        purged += (long)deleted;
        if (failed)
            return -1;
        if (count < PURGE_BATCH)
            break;
    }
    log_fields(LOG_LEVEL_INFO, "retention: selfies purged",
               json_pack("{s:s, s:i, s:I}", "day", day, "retention_days", (int)days, "files", (json_int_t)purged));
    return 0;
db_failed:
    log_error("retention: the selfie records could not be read or marked (database)");
    return -1;
}
