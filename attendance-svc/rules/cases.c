/*
 * Discipline case rules (see cases.h).
 */
#include "cases.h"

#include "rules/review.h"

#include <string.h>

const char *case_open_problem(long long employee_id, size_t count, size_t found, const struct case_violation *v,
                              enum error_code *code)
{
    *code = ERR_INVALID_VALUE;
    if (count == 0)
        return "violation_ids must name at least one confirmed violation";
    if (found < count)
        return "violation_ids names a violation that does not exist, or one named twice";
    for (size_t i = 0; i < found; i++) {
        if (v[i].employee_id != employee_id)
            return "violation_ids names a violation of another employee";
        if (strcmp(v[i].status, "confirmed") != 0)
            return "only confirmed violations make a case: a pending one is not yet unexcused, a dismissed one "
                   "was excused";
        if (v[i].in_a_case)
            return "violation_ids names a violation that another case is about already";
    }
    return NULL;
}

const char *case_decide_problem(const char *status, const char *first_day, const char *sanction,
                                const char *suggested, const char *reason, enum error_code *code)
{
    if (strcmp(status, "summoned") == 0) {
        *code = ERR_NOT_EXAMINED;
        return "the case has no examination yet: the employee is heard before any sanction (PP 94/2021 Art. 26)";
    }
    if (strcmp(status, "decided") == 0) {
        *code = ERR_CONFLICT;
        return "the case is decided already";
    }
    bool before_pp94 = first_day && strcmp(first_day, PP94_IN_FORCE_FROM) < 0;
    if (!sanction_code_known(sanction) && !(before_pp94 && sanction_code_of_pp53_only(sanction))) {
        *code = ERR_INVALID_VALUE;
        return sanction_code_of_pp53_only(sanction)
                   ? "this sanction is PP 53/2010's: only a case about an absence before 31 August 2021 takes it"
                   : "sanction must be a sanction code of PP 94/2021 (teguran_lisan ... pemberhentian), or of PP "
                     "53/2010 on a case about an absence before 31 August 2021";
    }
    if ((!suggested || strcmp(sanction, suggested) != 0) && (!reason || !*reason)) {
        *code = ERR_REASON_REQUIRED;
        return "a sanction other than the suggested one needs its reason";
    }
    return NULL;
}
