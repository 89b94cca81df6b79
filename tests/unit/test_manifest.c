/* The export manifest: its canonical signed form, signing and checking, the key's text form, file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "export/manifest.h"

#include <stdlib.h>
#include <string.h>

static unsigned char public_key[crypto_sign_PUBLICKEYBYTES], secret_key[crypto_sign_SECRETKEYBYTES];

static int make_key(void **state)
{
    unsigned char seed[crypto_sign_SEEDBYTES];
    memset(seed, 7, sizeof seed); /* a fixed key: Ed25519 signatures are deterministic */
    if (sodium_init() < 0)
        return -1;
    crypto_sign_seed_keypair(public_key, secret_key, seed);
    return 0;
}

#define HEAD "0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978"

static json_t *two_file_manifest(void)
{
    json_t *m = manifest_new("2023-09-04", public_key, HEAD);
    assert_non_null(m);
    assert_int_equal(manifest_add_file(m, "attendance_2023-09-04.csv", 3, "ab"), 0);
    assert_int_equal(manifest_add_file(m, "units_2023-09-04.csv", 0, "cd"), 0);
    return m;
}

static void the_signed_form_is_compact_sorted_and_leaves_out_the_signature(void **state)
{
    json_t *m = two_file_manifest();
    char key[MANIFEST_KEY_TEXT_LEN], want[512];
    manifest_key_text(public_key, key);
    snprintf(want, sizeof want,
             "{\"audit_head\":\"" HEAD "\",\"date\":\"2023-09-04\",\"files\":[{\"name\":\"attendance_2023-09-04.csv\",\"rows\":3,\"sha256\":\"ab\"},"
             "{\"name\":\"units_2023-09-04.csv\",\"rows\":0,\"sha256\":\"cd\"}],\"format\":\"attendance-export/2\","
             "\"public_key\":\"%s\"}",
             key);
    char *form = manifest_signed_form(m);
    assert_string_equal(form, want);
    free(form);
    /* Signed, the form is the same: the signature is not part of what it covers. */
    assert_int_equal(manifest_sign(m, secret_key), 0);
    form = manifest_signed_form(m);
    assert_string_equal(form, want);
    free(form);
    /* The file: the whole manifest in the same form, "signature" in its sorted place, one line. */
    char *text = manifest_text(m);
    size_t len = strlen(text);
    assert_true(len > strlen(want));
    assert_int_equal(text[len - 1], '\n');
    assert_null(strchr(text, ' '));
    assert_true(strstr(text, "\"public_key\":") < strstr(text, "\"signature\":"));
    assert_memory_equal(text, want, strlen(want) - 1); /* the same up to the closing brace */
    free(text);
    json_decref(m);
}

static void a_signature_checks_with_its_key_and_no_other(void **state)
{
    json_t *m = two_file_manifest();
    char why[200];
    assert_int_equal(manifest_check_signature(m, public_key, why, sizeof why), -1); /* unsigned */
    assert_non_null(strstr(why, "no signature"));
    assert_int_equal(manifest_sign(m, secret_key), 0);
    assert_int_equal(manifest_check_signature(m, public_key, why, sizeof why), 0);
    /* Deterministic: signing again gives the same bytes. */
    char *once = manifest_text(m);
    assert_int_equal(manifest_sign(m, secret_key), 0);
    char *twice = manifest_text(m);
    assert_string_equal(once, twice);
    free(once);
    free(twice);
    /* Another key. */
    unsigned char other_pk[crypto_sign_PUBLICKEYBYTES], other_sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(other_pk, other_sk);
    assert_int_equal(manifest_check_signature(m, other_pk, why, sizeof why), -1);
    assert_non_null(strstr(why, "another key"));
    json_decref(m);
}

static void any_change_breaks_the_signature(void **state)
{
    char why[200];
    static const char *const changes[] = {"rows", "sha256", "name"};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        json_t *m = two_file_manifest();
        assert_int_equal(manifest_sign(m, secret_key), 0);
        json_t *file = json_array_get(json_object_get(m, "files"), 1);
        json_object_set_new(file, changes[i], i == 0 ? json_integer(1) : json_string("x"));
        assert_int_equal(manifest_check_signature(m, public_key, why, sizeof why), -1);
        assert_non_null(strstr(why, "does not verify"));
        json_decref(m);
    }
    json_t *m = two_file_manifest();
    assert_int_equal(manifest_sign(m, secret_key), 0);
    json_object_set_new(m, "date", json_string("2023-09-05"));
    assert_int_equal(manifest_check_signature(m, public_key, why, sizeof why), -1);
    json_object_set_new(m, "date", json_string("2023-09-04"));
    assert_int_equal(manifest_check_signature(m, public_key, why, sizeof why), 0);
    json_object_set_new(m, "signature", json_string("not base64url!"));
    assert_int_equal(manifest_check_signature(m, public_key, why, sizeof why), -1);
    assert_non_null(strstr(why, "base64url"));
    json_decref(m);
}

static void keys_round_trip_as_base64url(void **state)
{
    char text[MANIFEST_KEY_TEXT_LEN];
    unsigned char back[crypto_sign_PUBLICKEYBYTES];
    manifest_key_text(public_key, text);
    assert_int_equal(strlen(text), 43);
    assert_null(strpbrk(text, "+/="));
    assert_int_equal(manifest_key_parse(text, back), 0);
    assert_memory_equal(back, public_key, sizeof back);
    char padded[64];
    snprintf(padded, sizeof padded, "%s=", text);
    assert_int_equal(manifest_key_parse(padded, back), 0);
    assert_int_equal(manifest_key_parse("", back), -1);
    assert_int_equal(manifest_key_parse("AAAA", back), -1);            /* 3 bytes */
    text[5] = '+';                                                     /* standard base64, not url */
    assert_int_equal(manifest_key_parse(text, back), -1);
}

static void file_names_of_a_day(void **state)
{
    char name[64];
    manifest_csv_name(0, "2023-09-04", name);
    assert_string_equal(name, "attendance_2023-09-04.csv");
    manifest_csv_name(1, "2023-09-04", name);
    assert_string_equal(name, "units_2023-09-04.csv");
    manifest_csv_name(2, "2023-09-04", name);
    assert_string_equal(name, "violations_2023-09-04.csv");
    manifest_name("2023-09-04", name);
    assert_string_equal(name, "manifest_2023-09-04.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_signed_form_is_compact_sorted_and_leaves_out_the_signature),
        cmocka_unit_test(a_signature_checks_with_its_key_and_no_other),
        cmocka_unit_test(any_change_breaks_the_signature),
        cmocka_unit_test(keys_round_trip_as_base64url),
        cmocka_unit_test(file_names_of_a_day),
    };
    return cmocka_run_group_tests(tests, make_key, NULL);
}
