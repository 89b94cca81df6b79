/* The audit log's hash chain: an entry's hash, as audit-verify recomputes it (audit_verify.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audit_verify.h"

#include <string.h>

/* An entry whose hash sql/0009's audit_entry_hash() gave (the same row, computed by PostgreSQL 15). */
static const char *const entry[AUDIT_TEXT_FIELDS] = {
    "7", "1693787465250000", "3", "admin", "decide", "violation", "12",
    "{\"note\": \"Pakaian dinas tidak sesuai \xe2\x80\x94 dicek\", \"version\": 1}", NULL, AUDIT_GENESIS_HASH,
};
#define ENTRY_HASH "501b2b1a26c555cf3145068e3e225139fe5656df9e6902c076bc00f1c543048b"

static void the_entry_hash_is_the_databases(void **state)
{
    char hash[SHA256_HEX_LEN + 1];
    assert_int_equal(audit_entry_hash(entry, hash), 0);
    assert_string_equal(hash, ENTRY_HASH);
}

static void every_field_and_every_null_counts(void **state)
{
    char hash[SHA256_HEX_LEN + 1];
    for (int i = 0; i < AUDIT_TEXT_FIELDS; i++) {
        const char *changed[AUDIT_TEXT_FIELDS];
        memcpy(changed, entry, sizeof changed);
        changed[i] = entry[i] ? NULL : "";
        assert_int_equal(audit_entry_hash(changed, hash), 0);
        assert_string_not_equal(hash, ENTRY_HASH); /* NULL and "" differ */
        changed[i] = "x";
        assert_int_equal(audit_entry_hash(changed, hash), 0);
        assert_string_not_equal(hash, ENTRY_HASH);
    }
    /* The lengths keep field boundaries: moving a character from one field to the next changes the hash. */
    const char *moved[AUDIT_TEXT_FIELDS];
    memcpy(moved, entry, sizeof moved);
    moved[AUDIT_COL_ACTOR] = "admind";
    moved[AUDIT_COL_ACTION] = "ecide";
    assert_int_equal(audit_entry_hash(moved, hash), 0);
    assert_string_not_equal(hash, ENTRY_HASH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_entry_hash_is_the_databases),
        cmocka_unit_test(every_field_and_every_null_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
