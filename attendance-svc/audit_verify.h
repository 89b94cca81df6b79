/*
 * attendance-svc audit-verify: checks the audit log's hash chain (sql/0009).
 */
#ifndef ATTENDANCE_AUDIT_VERIFY_H
#define ATTENDANCE_AUDIT_VERIFY_H

#include "config.h"
#include "digest.h"
#include "store/store_audit.h"

#include <stdio.h>

/* The prev_hash of the first entry. */
#define AUDIT_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Exit statuses of audit-verify besides 0 (intact) and 2 (configuration). */
#define AUDIT_VERIFY_FAILED 1 /* could not be checked: the database is unreachable or its schema behind */
#define AUDIT_VERIFY_BROKEN 3 /* an entry does not chain: see the report */

/*
 * The hash of an entry: lowercase hex SHA-256 of its canonical text, built
 * from its fields in the order of enum audit_chain_column (NULL for SQL NULL)
 * exactly as sql/0009's audit_entry_text builds it. 0, or -1 out of memory.
 */
int audit_entry_hash(const char *const fields[AUDIT_TEXT_FIELDS], char out[SHA256_HEX_LEN + 1]);

/*
 * Walks the chain from the first entry to the one the chain head names,
 * recomputing every hash; prints one line to out (the count and the head, or
 * the first broken entry and why) and returns the exit status. With
 * published_head (a hash published outside the database, e.g. a manifest's
 * audit_head; NULL: none), the chain is intact only if that hash is one of its
 * entries': a chain rewritten consistently since it was published is broken.
 */
int audit_verify_run(const struct config *cfg, const char *published_head, FILE *out);

#endif
