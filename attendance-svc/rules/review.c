#include "review.h"

#include <stddef.h>
#include <string.h>

static const char *const sanction_codes[] = {
    "teguran_lisan",        "teguran_tertulis",      "pernyataan_tidak_puas",
    "potong_tukin_6_bulan", "potong_tukin_9_bulan",  "potong_tukin_12_bulan",
    "penurunan_jabatan",    "pembebasan_jabatan",    "pemberhentian",
};

static bool one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

bool sanction_code_known(const char *code)
{
    return one_of(code, sanction_codes, sizeof sanction_codes / sizeof sanction_codes[0]);
}

bool sanction_code_of_pp53_only(const char *code)
{
    static const char *const pp53_only[] = {"penundaan_kgb_1_tahun", "penundaan_pangkat_1_tahun",
                                            "penurunan_pangkat_1_tahun", "penurunan_pangkat_3_tahun",
                                            "pemindahan_penurunan_jabatan"};
    return one_of(code, pp53_only, sizeof pp53_only / sizeof pp53_only[0]);
}

bool violation_status_known(const char *status)
{
    static const char *const statuses[] = {"pending", "dismissed", "confirmed"};
    return one_of(status, statuses, sizeof statuses / sizeof statuses[0]);
}

const char *review_decision_problem(const char *decision, const char *sanction, const char **field)
{
    *field = "decision";
    if (!decision || (strcmp(decision, "dismissed") != 0 && strcmp(decision, "confirmed") != 0))
        return "decision must be dismissed or confirmed";
    *field = "sanction";
    if (sanction)
        return "a violation's decision says only whether there was a valid reason (sanction null): a sanction is "
               "decided on a discipline case (POST /v1/discipline/cases), on the days accumulated in the year";
    return NULL;
}

bool review_note_ok(const char *note)
{
    size_t n = strlen(note);
    if (n > REVIEW_NOTE_MAX_BYTES)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)note[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}
