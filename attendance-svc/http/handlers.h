/*
 * The entry function of every endpoint, one group per h_*.c file.
 */
#ifndef ATTENDANCE_HTTP_HANDLERS_H
#define ATTENDANCE_HTTP_HANDLERS_H

#include "request.h"

/* h_auth.c */
void h_device_sign_in(struct request *req);
void h_login(struct request *req);
void h_password_change(struct request *req);
void h_console_login(struct request *req);
void h_console_session(struct request *req);
void h_console_logout(struct request *req);

/* console_files.c: GET /console/ and the files under it (not a route of the table) */
bool console_path(const char *path);
void console_serve(struct request *req, const char *path);

/* h_health.c */
void h_healthz(struct request *req);
void h_readyz(struct request *req);
void h_metrics(struct request *req);

/* h_units.c */
void h_unit_create(struct request *req);
void h_unit_get(struct request *req);

/*
 * The employee's document if the caller may see it (the employee itself, staff
 * who see its unit); NULL after answering 404 (or the database's error).
 */
json_t *employee_if_visible(struct request *req, long long employee_id);

/* h_discipline.c */
void h_discipline_get(struct request *req);
/*
 * The employee's summary of the year (as GET .../discipline answers it, with
 * case_days NULL); for a case about violations on case_days (days since
 * 1970-01-01), its suggestion is of the regulations that judge those days
 * (rules/discipline.h, discipline_suggestion_judging). NULL after answering.
 */
json_t *discipline_summary_doc(struct request *req, long long employee_id, int year, const int64_t *case_days,
                               size_t case_day_count);
void h_me_discipline(struct request *req);

/* h_cases.c */
void h_case_open(struct request *req);
void h_case_examine(struct request *req);
void h_case_statement(struct request *req);
void h_case_decide(struct request *req);
void h_case_list(struct request *req);
void h_case_get(struct request *req);

/* h_leave.c */
void h_leave_create(struct request *req);
void h_leave_list(struct request *req);
void h_leave_get(struct request *req);
void h_leave_withdraw(struct request *req);
void h_leave_attach(struct request *req);
void h_leave_attachment(struct request *req);
void h_leave_decide(struct request *req);
void h_leave_approvers_get(struct request *req);
void h_leave_approver_put(struct request *req);

/* h_me.c: the employee's own records */
void h_me(struct request *req);
void h_me_checkins(struct request *req);
void h_me_violations(struct request *req);
void h_me_day(struct request *req);

/* h_holidays.c */
void h_holiday_create(struct request *req);
void h_holiday_list(struct request *req);
void h_holiday_delete(struct request *req);

/* h_roster.c */
void h_roster_put(struct request *req);
void h_roster_get(struct request *req);
void h_roster_suggest(struct request *req);
void h_unit_day(struct request *req);
void h_unit_list(struct request *req);

/* h_offices.c */

/* An office's code, as imported records name it: 1 to 32 of A-Z a-z 0-9 . _ - */
bool office_code_valid(const char *code);
void h_office_create(struct request *req);
void h_office_get(struct request *req);
void h_office_list(struct request *req);

/* h_kiosks.c */
void h_kiosk_create(struct request *req);
void h_kiosk_list(struct request *req);
void h_kiosk_revoke(struct request *req);

/* h_employees.c */
void h_employee_create(struct request *req);
void h_employee_get(struct request *req);
void h_employee_list(struct request *req);
void h_employee_update(struct request *req);
void h_employee_import(struct request *req);

/* h_staff.c */
void h_staff_create(struct request *req);
void h_staff_get(struct request *req);
void h_staff_list(struct request *req);
void h_staff_update(struct request *req);

/* h_policies.c */
void h_policy_create(struct request *req);
void h_policy_get(struct request *req);
void h_policy_list(struct request *req);
void h_hours_create(struct request *req);
void h_hours_get(struct request *req);
void h_hours_list(struct request *req);

/* h_audit.c */
void h_audit_list(struct request *req);

/* h_exports.c */
void h_export_list(struct request *req);

/* h_review.c */
void h_violation_list(struct request *req);
void h_violation_get(struct request *req);
void h_violation_decide(struct request *req);
void h_violation_explain(struct request *req);
void h_checkin_selfie(struct request *req);

/* h_checkins.c */
void h_checkin_create(struct request *req);

/* h_checkin_import.c */
void h_checkin_import(struct request *req);

/* h_devices.c */
void h_device_enrol(struct request *req);
void h_device_list(struct request *req);
void h_device_revoke(struct request *req);

/* h_homes.c */
void h_home_register(struct request *req);
void h_home_list(struct request *req);
void h_home_approve(struct request *req);

#endif
