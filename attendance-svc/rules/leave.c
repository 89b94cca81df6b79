/*
 * Leave rules (see leave.h). Every limit comes from the kind's row of
 * leave_kinds; the only constants here are the NIP's layout.
 */
#include "leave.h"

#include "dates.h"

#include <stdio.h>
#include <string.h>

bool leave_excuses(const struct leave_cover *leave, const char *code, int at_min, int boundary_min)
{
    if (!leave->on_leave)
        return false;
    bool whole_day = leave->start_min < 0;
    if (strcmp(code, "ABSENT") == 0)
        return whole_day;
    if (strcmp(code, "OUTSIDE_GEOFENCE") == 0)
        return leave->excuses_place;
    if (strcmp(code, "LATE_ARRIVAL") == 0)
        return whole_day || (leave->start_min <= boundary_min && leave->end_min >= at_min);
    if (strcmp(code, "EARLY_DEPARTURE") == 0)
        return whole_day || (leave->start_min <= at_min && leave->end_min >= boundary_min);
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    return strlen(s) == n && strspn(s, "0123456789") == n;
}

int leave_service_months(const char *nip, int64_t on_day)
{
    if (!nip || !all_digits(nip, 18))
        return -1;
    int year = (nip[8] - '0') * 1000 + (nip[9] - '0') * 100 + (nip[10] - '0') * 10 + (nip[11] - '0');
    int month = (nip[12] - '0') * 10 + (nip[13] - '0');
    if (month < 1 || month > 12 || year < 1950)
        return -1;
    int y, m, d;
    date_civil(on_day, &y, &m, &d);
    int months = (y * 12 + m) - (year * 12 + month);
    return months < 0 ? 0 : months;
}

bool leave_nip_female(const char *nip) { return nip && all_digits(nip, 18) && nip[14] == '2'; }

int leave_working_days(const struct work_week *week, int64_t from_day, int64_t to_day, const int64_t *holidays,
                       size_t holiday_count)
{
    int n = 0;
    for (int64_t day = from_day; day <= to_day; day++) {
        if (!week->works[date_weekday(day)])
            continue;
        bool holiday = false;
        for (size_t i = 0; i < holiday_count && !holiday; i++)
            holiday = holidays[i] == day;
        n += !holiday;
    }
    return n;
}

int leave_annual_balance(const struct leave_kind_rule *rule, const struct annual_history *h)
{
    int base = rule->annual_working_days;
    if (h->recorded_last && h->recorded_before_last && h->used_last == 0 && h->used_before_last == 0 &&
        rule->carry_two_years_total > base)
        return rule->carry_two_years_total;
    int unused = h->recorded_last && h->used_last < base ? base - h->used_last : 0;
    return base + (unused < rule->carry_max_days ? unused : rule->carry_max_days);
}

#define PROBLEM(code_, field_, ...)                                                \
    do {                                                                           \
        problem->code = code_;                                                     \
        problem->field = field_;                                                   \
        snprintf(problem->message, sizeof problem->message, __VA_ARGS__);          \
        return false;                                                              \
    } while (0)

bool leave_request_ok(const struct leave_request_facts *f, struct leave_problem *problem)
{
    const struct leave_kind_rule *r = f->rule;
    int64_t calendar_days = f->to_day - f->from_day + 1;
    *problem = (struct leave_problem){0};
    if (f->to_day < f->from_day)
        PROBLEM(ERR_INVALID_VALUE, "to", "to must not be before from");
    if (f->start_min >= 0 && !r->hours_allowed)
        PROBLEM(ERR_INVALID_VALUE, "start", "%s is taken in whole days: start and end are only for an izin", r->kind);
    if (r->single_day && calendar_days > 1)
        PROBLEM(ERR_LEAVE_TOO_LONG, "to", "an %s is for one day (from and to the same date)", r->kind);
    if (r->max_calendar_days && calendar_days > r->max_calendar_days)
        PROBLEM(ERR_LEAVE_TOO_LONG, "to", "%s is at most %d calendar days; this asks for %lld", r->kind,
                r->max_calendar_days, (long long)calendar_days);
    if (f->working_days == 0)
        PROBLEM(ERR_NO_WORKING_DAY, "from", "the span has no working day of the unit: there is nothing to excuse");
    if (r->min_service_months && f->service_months < r->min_service_months)
        PROBLEM(ERR_LEAVE_SERVICE_TOO_SHORT, "kind",
                "%s needs %d months of continuous service; the NIP's appointment month gives %d", r->kind,
                r->min_service_months, f->service_months < 0 ? 0 : f->service_months);
    if (r->female_only && !f->female)
        PROBLEM(ERR_LEAVE_NOT_ELIGIBLE, "kind", "%s is for a woman giving birth (the NIP's 15th digit is 2)", r->kind);
    if (r->max_times && f->times_before >= r->max_times)
        PROBLEM(ERR_LEAVE_LIMIT_REACHED, "kind",
                "%s is granted for the first %d times only (then through cuti besar); %d were approved", r->kind,
                r->max_times, f->times_before);
    if (r->annual_working_days) {
        int y1, y2, m, d;
        date_civil(f->from_day, &y1, &m, &d);
        date_civil(f->to_day, &y2, &m, &d);
        if (y1 != y2)
            PROBLEM(ERR_INVALID_VALUE, "to", "%s is counted per year: ask for each year's days apart", r->kind);
        if (f->annual_taken + f->working_days > f->annual_balance)
            PROBLEM(ERR_LEAVE_BALANCE_EXCEEDED, "to",
                    "%d working days asked with %d taken or asked already this year, beyond the balance of %d",
                    f->working_days, f->annual_taken, f->annual_balance);
    }
    if (f->deciding && r->attachment_beyond_days >= 0 && f->working_days > r->attachment_beyond_days &&
        !f->has_attachment)
        PROBLEM(ERR_ATTACHMENT_REQUIRED, "attachment", "%s of more than %d working day%s needs its letter attached",
                r->kind, r->attachment_beyond_days, r->attachment_beyond_days == 1 ? "" : "s");
    return true;
}
