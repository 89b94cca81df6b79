/*
 * The routing table and path matching (see router.h).
 */
#include "router.h"

#include "handlers.h"

#include <stdio.h>
#include <string.h>

/* A CSV of 100,000 employees is about 6 MiB. */
#define IMPORT_MAX_BODY (32u << 20)

/* 10,000 records of attendance (h_checkin_import.c) are under 1 MiB. */
#define RECORDS_MAX_BODY (2u << 20)

/* A leave's letter (h_leave.c). */
#define ATTACHMENT_MAX_BODY (5u << 20)

/* A 2 MiB selfie, the payload, the signature and the multipart framing. */
#define CHECKIN_MAX_BODY ((2u << 20) + (64u << 10))

static const struct route routes[] = {
    {"GET", "/healthz", h_healthz, ROLES_PUBLIC, 0, 0},
    {"GET", "/readyz", h_readyz, ROLES_PUBLIC, 0, 0},
    {"GET", "/metrics", h_metrics, ROLES_PUBLIC, 0, 0},

    {"POST", "/v1/auth/login", h_login, ROLES_PUBLIC, 0, 0},
    {"POST", "/v1/auth/password", h_password_change, ROLES_ALL, 0, ROUTE_PASSWORD_CHANGE},
    {"POST", "/v1/auth/device", h_device_sign_in, ROLES_PUBLIC, 0, 0},
    {"POST", "/v1/console/login", h_console_login, ROLES_PUBLIC, 0, 0},
    {"GET", "/v1/console/session", h_console_session, ROLES_STAFF, 0, ROUTE_PASSWORD_CHANGE},
    {"POST", "/v1/console/logout", h_console_logout, ROLES_STAFF, 0, ROUTE_PASSWORD_CHANGE},

    {"POST", "/v1/units", h_unit_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/units", h_unit_list, ROLES_STAFF, 0, 0},
    {"GET", "/v1/units/{unit_id}", h_unit_get, ROLES_STAFF, 0, 0},
    {"PUT", "/v1/units/{unit_id}/roster/{date}", h_roster_put, ROLE_SUPERVISOR | ROLE_ADMIN, 0, 0},
    {"GET", "/v1/units/{unit_id}/roster/{date}", h_roster_get, ROLES_STAFF, 0, 0},
    {"GET", "/v1/units/{unit_id}/days/{date}", h_unit_day, ROLES_STAFF, 0, 0},
    {"POST", "/v1/units/{unit_id}/roster/{date}/suggest", h_roster_suggest, ROLE_SUPERVISOR | ROLE_ADMIN, 0, 0},

    {"POST", "/v1/offices", h_office_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/offices", h_office_list, ROLES_STAFF, 0, 0},
    {"GET", "/v1/offices/{office_id}", h_office_get, ROLES_STAFF, 0, 0},
    {"POST", "/v1/offices/{office_id}/kiosks", h_kiosk_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/offices/{office_id}/kiosks", h_kiosk_list, ROLES_STAFF, 0, 0},
    {"DELETE", "/v1/offices/{office_id}/kiosks/{kiosk_id}", h_kiosk_revoke, ROLE_ADMIN, 0, 0},

    {"POST", "/v1/employees", h_employee_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/employees", h_employee_list, ROLES_STAFF, 0, 0},
    {"POST", "/v1/employees/import", h_employee_import, ROLE_ADMIN, IMPORT_MAX_BODY, 0},
    {"GET", "/v1/employees/{employee_id}", h_employee_get, ROLES_ALL, 0, 0},
    {"PATCH", "/v1/employees/{employee_id}", h_employee_update, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/employees/{employee_id}/discipline", h_discipline_get, ROLES_ALL, 0, ROUTE_READS_REPLICA},

    {"POST", "/v1/staff", h_staff_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/staff", h_staff_list, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/staff/{account_id}", h_staff_get, ROLE_ADMIN, 0, 0},
    {"PATCH", "/v1/staff/{account_id}", h_staff_update, ROLE_ADMIN, 0, 0},

    {"POST", "/v1/policies", h_policy_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/policies", h_policy_list, ROLES_STAFF, 0, 0},
    {"GET", "/v1/policies/{policy_id}", h_policy_get, ROLES_STAFF, 0, 0},
    {"POST", "/v1/hours", h_hours_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/hours", h_hours_list, ROLES_STAFF, 0, 0},
    {"GET", "/v1/hours/{hours_id}", h_hours_get, ROLES_STAFF, 0, 0},

    {"POST", "/v1/holidays", h_holiday_create, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/holidays", h_holiday_list, ROLES_STAFF, 0, 0},
    {"DELETE", "/v1/holidays/{holiday_id}", h_holiday_delete, ROLE_ADMIN, 0, 0},

    {"GET", "/v1/audit", h_audit_list, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/exports", h_export_list, ROLE_REVIEWER | ROLE_ADMIN, 0, ROUTE_READS_REPLICA},

    {"POST", "/v1/devices", h_device_enrol, ROLE_EMPLOYEE, 0, 0},
    {"GET", "/v1/devices", h_device_list, ROLE_EMPLOYEE | ROLE_SUPERVISOR | ROLE_ADMIN, 0, 0},
    {"DELETE", "/v1/devices/{device_id}", h_device_revoke, ROLE_SUPERVISOR | ROLE_ADMIN, 0, 0},

    {"POST", "/v1/checkins", h_checkin_create, ROLE_EMPLOYEE, CHECKIN_MAX_BODY, ROUTE_CHECKS_ACCOUNT | ROUTE_TOKEN_OPTIONAL},
    {"POST", "/v1/checkins/import", h_checkin_import, ROLE_SUPERVISOR | ROLE_ADMIN, RECORDS_MAX_BODY, 0},
    {"GET", "/v1/checkins/{checkin_id}/selfie", h_checkin_selfie, ROLE_SUPERVISOR | ROLE_REVIEWER, 0, 0},

    {"GET", "/v1/violations", h_violation_list, ROLES_STAFF, 0, ROUTE_READS_REPLICA},
    {"GET", "/v1/violations/{violation_id}", h_violation_get, ROLES_STAFF, 0, ROUTE_READS_REPLICA},
    {"POST", "/v1/violations/{violation_id}/decision", h_violation_decide, ROLE_REVIEWER, 0, 0},

    {"POST", "/v1/violations/{violation_id}/explanation", h_violation_explain, ROLE_EMPLOYEE, 0, 0},

    {"POST", "/v1/discipline/cases", h_case_open, ROLE_SUPERVISOR, 0, 0},
    {"GET", "/v1/discipline/cases", h_case_list, ROLES_ALL, 0, 0},
    {"GET", "/v1/discipline/cases/{case_id}", h_case_get, ROLES_ALL, 0, 0},
    {"POST", "/v1/discipline/cases/{case_id}/examination", h_case_examine, ROLE_SUPERVISOR, 0, 0},
    {"POST", "/v1/discipline/cases/{case_id}/statement", h_case_statement, ROLE_EMPLOYEE, 0, 0},
    {"POST", "/v1/discipline/cases/{case_id}/decision", h_case_decide, ROLE_REVIEWER, 0, 0},

    {"POST", "/v1/leave", h_leave_create, ROLE_EMPLOYEE, 0, 0},
    {"GET", "/v1/leave/approvers", h_leave_approvers_get, ROLES_STAFF, 0, 0},
    {"PUT", "/v1/leave/approvers/{kind}", h_leave_approver_put, ROLE_ADMIN, 0, 0},
    {"GET", "/v1/leave", h_leave_list, ROLES_ALL, 0, 0},
    {"GET", "/v1/leave/{leave_id}", h_leave_get, ROLES_ALL, 0, 0},
    {"DELETE", "/v1/leave/{leave_id}", h_leave_withdraw, ROLE_EMPLOYEE, 0, 0},
    {"PUT", "/v1/leave/{leave_id}/attachment", h_leave_attach, ROLE_EMPLOYEE, ATTACHMENT_MAX_BODY, 0},
    {"GET", "/v1/leave/{leave_id}/attachment", h_leave_attachment, ROLES_ALL, 0, 0},
    {"POST", "/v1/leave/{leave_id}/decision", h_leave_decide, ROLES_STAFF, 0, 0},

    {"GET", "/v1/me", h_me, ROLE_EMPLOYEE, 0, 0},
    {"GET", "/v1/me/checkins", h_me_checkins, ROLE_EMPLOYEE, 0, 0},
    {"GET", "/v1/me/violations", h_me_violations, ROLE_EMPLOYEE, 0, 0},
    {"GET", "/v1/me/day", h_me_day, ROLE_EMPLOYEE, 0, 0},
    {"GET", "/v1/me/discipline", h_me_discipline, ROLE_EMPLOYEE, 0, ROUTE_READS_REPLICA},
    {"GET", "/v1/me/leave", h_leave_list, ROLE_EMPLOYEE, 0, 0},

    {"POST", "/v1/homes", h_home_register, ROLE_EMPLOYEE, 0, 0},
    {"GET", "/v1/homes", h_home_list, ROLE_EMPLOYEE | ROLE_SUPERVISOR | ROLE_ADMIN, 0, 0},
    {"POST", "/v1/homes/{home_id}/approve", h_home_approve, ROLE_SUPERVISOR, 0, 0},
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

const struct route *router_routes(size_t *count)
{
    *count = ROUTE_COUNT;
    return routes;
}

size_t router_index(const struct route *route) { return (size_t)(route - routes); }

/* Matches path against pattern segment by segment; records where each {param} starts. */
static bool pattern_matches(const char *pattern, const char *path, const char **starts, unsigned *nparams)
{
    unsigned n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++, s++;
        size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
        if (plen > 1 && p[0] == '{' && p[plen - 1] == '}') {
            if (slen == 0 || n == REQUEST_MAX_PARAMS)
                return false;
            starts[n++] = s;
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen, s += slen;
    }
    if (*p || *s)
        return false;
    *nparams = n;
    return true;
}

enum route_match router_match(const char *method, char *path, const struct route **route,
                              const char **params, unsigned *nparams, char *allow, size_t allow_len)
{
    const char *starts[REQUEST_MAX_PARAMS];
    unsigned n;
    bool path_known = false;
    size_t used = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (!pattern_matches(routes[i].pattern, path, starts, &n))
            continue;
        if (strcmp(routes[i].method, method) != 0) {
            int w = snprintf(allow + used, allow_len - used, "%s%s", path_known ? ", " : "", routes[i].method);
            if (w > 0 && (size_t)w < allow_len - used)
                used += (size_t)w;
            path_known = true;
            continue;
        }
        for (unsigned k = 0; k < n; k++) {
            params[k] = starts[k];
            char *end = (char *)starts[k] + strcspn(starts[k], "/");
            *end = '\0'; /* cut the segment; the rest of the path is not needed any more */
        }
        *nparams = n;
        *route = &routes[i];
        return ROUTE_FOUND;
    }
    return path_known ? ROUTE_WRONG_METHOD : ROUTE_NOT_FOUND;
}
