"""Each role against each route: the contract's role table, route by route (table-driven)."""
from harness import ADMIN_PASSWORD, Agency, admin_env, check, login, make_employee, test

EMPLOYEE, SUPERVISOR, REVIEWER, ADMIN = "employee", "supervisor", "reviewer", "admin"
STAFF = {SUPERVISOR, REVIEWER, ADMIN}
ALL = STAFF | {EMPLOYEE}

# Who may call what, from CONTRACT.md's role table (and docs/openapi.yaml where the contract is silent).
ROUTES = [
    ("POST", "/v1/auth/password", ALL),
    ("GET", "/v1/console/session", STAFF),
    ("POST", "/v1/console/logout", STAFF),
    ("POST", "/v1/units", {ADMIN}),
    ("GET", "/v1/units", STAFF),
    ("GET", "/v1/units/{unit}", STAFF),
    ("PUT", "/v1/units/{unit}/roster/2023-09-05", {SUPERVISOR, ADMIN}),
    ("GET", "/v1/units/{unit}/roster/2023-09-05", STAFF),
    ("GET", "/v1/units/{unit}/days/2023-09-05", STAFF),
    ("POST", "/v1/units/{unit}/roster/2023-09-05/suggest", {SUPERVISOR, ADMIN}),
    ("POST", "/v1/offices", {ADMIN}),
    ("GET", "/v1/offices", STAFF),
    ("GET", "/v1/offices/999999999", STAFF),
    ("POST", "/v1/offices/999999999/kiosks", {ADMIN}),
    ("GET", "/v1/offices/999999999/kiosks", STAFF),
    ("DELETE", "/v1/offices/999999999/kiosks/999999999", {ADMIN}),
    ("POST", "/v1/employees", {ADMIN}),
    ("GET", "/v1/employees", STAFF),
    ("POST", "/v1/employees/import", {ADMIN}),
    ("GET", "/v1/employees/{employee}", ALL),
    ("PATCH", "/v1/employees/999999999", {ADMIN}),
    ("GET", "/v1/employees/{employee}/discipline", ALL),
    ("POST", "/v1/staff", {ADMIN}),
    ("GET", "/v1/staff", {ADMIN}),
    ("GET", "/v1/staff/999999999", {ADMIN}),
    ("PATCH", "/v1/staff/999999999", {ADMIN}),
    ("POST", "/v1/policies", {ADMIN}),
    ("GET", "/v1/policies", STAFF),
    ("GET", "/v1/policies/999999999", STAFF),
    ("POST", "/v1/hours", {ADMIN}),
    ("GET", "/v1/hours", STAFF),
    ("GET", "/v1/hours/999999999", STAFF),
    ("POST", "/v1/holidays", {ADMIN}),
    ("GET", "/v1/holidays", STAFF),
    ("DELETE", "/v1/holidays/999999999", {ADMIN}),
    ("GET", "/v1/audit", {ADMIN}),
    ("GET", "/v1/exports", {REVIEWER, ADMIN}),
    ("POST", "/v1/devices", {EMPLOYEE}),
    ("GET", "/v1/devices", {EMPLOYEE, SUPERVISOR, ADMIN}),
    ("DELETE", "/v1/devices/999999999", {SUPERVISOR, ADMIN}),
    ("POST", "/v1/homes", {EMPLOYEE}),
    ("GET", "/v1/homes", {EMPLOYEE, SUPERVISOR, ADMIN}),
    ("POST", "/v1/homes/999999999/approve", {SUPERVISOR}),
    ("POST", "/v1/checkins", {EMPLOYEE}),
    ("POST", "/v1/checkins/import", {SUPERVISOR, ADMIN}),
    ("GET", "/v1/checkins/999999999/selfie", {SUPERVISOR, REVIEWER}),
    ("GET", "/v1/violations", STAFF),
    ("GET", "/v1/violations/999999999", STAFF),
    ("POST", "/v1/violations/999999999/decision", {REVIEWER}),
    ("POST", "/v1/violations/999999999/explanation", {EMPLOYEE}),
    ("POST", "/v1/leave", {EMPLOYEE}),
    ("GET", "/v1/leave", ALL),
    ("GET", "/v1/leave/999999999", ALL),
    ("DELETE", "/v1/leave/999999999", {EMPLOYEE}),
    ("PUT", "/v1/leave/999999999/attachment", {EMPLOYEE}),
    ("GET", "/v1/leave/999999999/attachment", ALL),
    ("POST", "/v1/leave/999999999/decision", STAFF),
    ("GET", "/v1/leave/approvers", STAFF),
    ("PUT", "/v1/leave/approvers/999999999", {ADMIN}),
    ("GET", "/v1/me", {EMPLOYEE}),
    ("GET", "/v1/me/checkins", {EMPLOYEE}),
    ("GET", "/v1/me/violations", {EMPLOYEE}),
    ("GET", "/v1/me/day", {EMPLOYEE}),
    ("GET", "/v1/me/discipline", {EMPLOYEE}),
    ("GET", "/v1/me/leave", {EMPLOYEE}),
    ("POST", "/v1/discipline/cases", {SUPERVISOR}),
    ("GET", "/v1/discipline/cases", ALL),
    ("GET", "/v1/discipline/cases/999999999", ALL),
    ("POST", "/v1/discipline/cases/999999999/examination", {SUPERVISOR}),
    ("POST", "/v1/discipline/cases/999999999/statement", {EMPLOYEE}),
    ("POST", "/v1/discipline/cases/999999999/decision", {REVIEWER}),
]


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    emp_id, nip = make_employee(env.db, a.unit_a["id"])
    for role, unit in ((SUPERVISOR, a.unit_a["id"]), (REVIEWER, a.top["id"])):
        env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id) SELECT :'u', password_hash, "
                   ":'r', :'unit' FROM accounts WHERE username = 'admin'", f"u=role-{role}", f"r={role}",
                   f"unit={unit}")
    env.tokens = {EMPLOYEE: login(env.svc, nip, ADMIN_PASSWORD), ADMIN: a.admin,
                  SUPERVISOR: login(env.svc, f"role-{SUPERVISOR}", ADMIN_PASSWORD),
                  REVIEWER: login(env.svc, f"role-{REVIEWER}", ADMIN_PASSWORD)}
    env.ids = {"{unit}": a.unit_a["id"], "{employee}": str(emp_id)}
    return env


# Routes that a request without any token may reach: the device's signature authenticates it (CONTRACT.md,
# "Devices are the employee's credential in the morning").
DEVICE_AUTHENTICATED = {("POST", "/v1/checkins")}


def teardown(env):
    env.close()


def call(env, method, path, token):
    for name, value in env.ids.items():
        path = path.replace(name, value)
    # An empty object: an admitted role gets a 4xx about the body, never a change.
    body = b"{}" if method in ("POST", "PATCH", "PUT") else None
    return env.svc.request(method, path, body, headers={"Content-Type": "application/json"}, token=token)


@test
def every_role_against_every_route(env):
    failures = []
    for method, path, admitted in ROUTES:
        r = call(env, method, path, None)
        if (method, path) in DEVICE_AUTHENTICATED:
            if r.status in (401, 403) or r.status >= 500:
                failures.append(f"{method} {path} without a token: {r.status}, should reach the signature check")
        elif (r.status, r.error_code()) != (401, "unauthenticated"):
            failures.append(f"{method} {path} without a token: {r.status}")
        for role, token in env.tokens.items():
            r = call(env, method, path, token)
            if role in admitted and r.status in (401, 403):
                failures.append(f"{method} {path} as {role}: {r.status}, should be admitted")
            if role not in admitted and (r.status, r.error_code()) != (403, "forbidden"):
                failures.append(f"{method} {path} as {role}: {r.status}, should be 403")
            if r.status >= 500:
                failures.append(f"{method} {path} as {role}: {r.status}")
    check(not failures, "\n".join(failures))


@test
def the_table_covers_every_route_of_the_service(env):
    import os
    import re
    from harness import REPO
    with open(os.path.join(REPO, "attendance-svc", "http", "router.c")) as f:
        served = {(m, p) for m, p in re.findall(r'\{"([A-Z]+)", "(/v1/[^"]*)"', f.read())}
    served -= {("POST", "/v1/auth/login"), ("POST", "/v1/console/login"), ("POST", "/v1/auth/device")}
    tested = {(m, re.sub(r"\{[a-z]+\}|\d{9}|\d{4}-\d{2}-\d{2}", "{}", p)) for m, p, _ in ROUTES}
    served = {(m, re.sub(r"\{[a-z_]+\}", "{}", p)) for m, p in served}
    check(served == tested, f"untested: {sorted(served - tested)}; unknown: {sorted(tested - served)}")
