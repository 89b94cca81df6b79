"""The review console's files and session: static serving (types, traversal, caching,
security headers), the cookie login, CSRF on every change made by cookie, logout."""
import os
import re
import tempfile

from harness import ADMIN_PASSWORD, REPO, Agency, Service, admin_env, check, eq, make_employee, test

CONSOLE_DIR = os.path.join(REPO, "attendance-svc", "console")


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.employee_id, env.nip = make_employee(env.db, env.agency.unit_a["id"])
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id) SELECT 'console-reviewer', "
               "password_hash, 'reviewer', :'unit' FROM accounts WHERE username = 'admin'",
               f"unit={env.agency.top['id']}")
    return env


def teardown(env):
    env.close()


def set_cookies(r):
    """{name: (value, [attributes])} of the answer's Set-Cookie headers."""
    cookies = {}
    for k, v in r.raw_headers:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            value, *attrs = [p.strip() for p in rest.split(";")]
            cookies[name] = (value, attrs)
    return cookies


def request(svc, method, path, body=None, headers=None, token=None):
    """svc.request, keeping every header (Set-Cookie comes more than once)."""
    conn = svc.connect()
    try:
        import json
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        from harness import Response
        resp = Response(r.status, r.getheaders(), r.read())
        resp.raw_headers = r.getheaders()
        return resp
    finally:
        conn.close()


def console_login(svc, username="console-reviewer", password=ADMIN_PASSWORD, headers=None):
    return request(svc, "POST", "/v1/console/login", {"username": username, "password": password}, headers)


class Session:
    """A browser's cookies after a console login."""

    def __init__(self, svc):
        r = console_login(svc)
        eq(r.status, 200, f"console login: {r}")
        c = set_cookies(r)
        self.svc, self.token, self.csrf = svc, c["attendance_session"][0], c["attendance_csrf"][0]

    def call(self, method, path, body=None, csrf=True, csrf_value=None):
        headers = {"Cookie": f"attendance_session={self.token}; attendance_csrf={self.csrf}"}
        if csrf:
            headers["X-CSRF-Token"] = csrf_value or self.csrf
        return request(self.svc, method, path, body, headers)


def check_security_headers(r, where):
    csp = r.headers.get("content-security-policy", "")
    for part in ("default-src 'self'", "script-src 'self'", "img-src 'self' data: blob:", "frame-ancestors 'none'"):
        check(part in csp, f"{where}: CSP {csp!r} lacks {part}")
    check("unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: CSP allows inline code: {csp}")
    eq(r.headers.get("x-content-type-options"), "nosniff", f"{where}: X-Content-Type-Options")
    eq(r.headers.get("referrer-policy"), "no-referrer", f"{where}: Referrer-Policy")


# ---- static files ----

@test
def the_console_page_is_served_with_its_type_and_strict_headers(env):
    r = env.svc.request("GET", "/console/")
    eq(r.status, 200, "GET /console/")
    check(r.headers["content-type"].startswith("text/html"), r.headers["content-type"])
    with open(os.path.join(CONSOLE_DIR, "index.html"), "rb") as f:
        eq(r.body, f.read(), "the body is index.html")
    check_security_headers(r, "GET /console/")
    eq(r.headers.get("cache-control"), "no-cache", "Cache-Control")
    check(r.headers.get("etag"), "an ETag")
    again = env.svc.request("GET", "/console/", headers={"If-None-Match": r.headers["etag"]})
    eq(again.status, 304, "revalidation of an unchanged file")
    eq(again.body, b"", "a 304 has no body")
    for name, ctype in (("app.js", "text/javascript"), ("style.css", "text/css")):
        r = env.svc.request("GET", "/console/" + name)
        eq(r.status, 200, name)
        check(r.headers["content-type"].startswith(ctype), f"{name}: {r.headers['content-type']}")
        check_security_headers(r, name)
    r = env.svc.request("GET", "/console")
    eq((r.status, r.headers.get("location")), (308, "/console/"), "/console redirects to /console/")


@test
def the_kiosk_and_the_employees_app_are_served_beside_the_console(env):
    for tree, sub in (("/kiosk", "kiosk"), ("/app", "app")):
        r = env.svc.request("GET", tree)
        eq((r.status, r.headers.get("location")), (308, tree + "/"), f"{tree} redirects")
        r = env.svc.request("GET", tree + "/")
        with open(os.path.join(CONSOLE_DIR, sub, "index.html"), "rb") as f:
            eq((r.status, r.body), (200, f.read()), f"{tree}/ is its own index.html")
        check_security_headers(r, tree + "/")
    r = env.svc.request("GET", "/app/manifest.webmanifest")
    eq((r.status, r.headers["content-type"]), (200, "application/manifest+json"), "the app's manifest")
    for path in ("/app/../index.html", "/app/.x.js", "/apps/index.html", "/appx", "/app/missing.js"):
        eq(env.svc.request("GET", path).status, 404, f"GET {path}")


@test
def the_api_answers_carry_the_same_security_headers(env):
    r = env.svc.request("GET", "/v1/units")
    eq(r.status, 401, "no token")
    check_security_headers(r, "GET /v1/units")
    eq(r.headers.get("cache-control"), "no-store", "API answers are not cached")


@test
def no_path_leaves_the_console_directory(env):
    secret = b"CREATE TABLE"  # from sql/0001_init.sql, one level up from the console's parent
    for path in ("/console/../../sql/0001_init.sql", "/console/%2e%2e/%2e%2e/sql/0001_init.sql",
                 "/console/..%2f..%2fsql/0001_init.sql", "/console/./index.html", "/console/.hidden.js",
                 "/console//etc/passwd", "/console/js/", "/console/a\\..\\b.js",
                 "/console/missing.js", "/console/meson.build"):
        r = env.svc.request("GET", path)
        eq(r.status, 404, f"GET {path}")
        check(secret not in r.body and b"root:" not in r.body, f"GET {path} leaked a file")
        check_security_headers(r, path)
    r = env.svc.request("POST", "/console/index.html", b"x")
    eq(r.status, 405, "POST to a console file")


@test
def the_console_directory_is_a_setting_and_links_out_of_it_are_not_followed(env):
    d = tempfile.mkdtemp(prefix="console-")
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write("<!doctype html><title>elsewhere</title>")
    os.mkdir(os.path.join(d, "js"))
    with open(os.path.join(d, "js", "main.js"), "w") as f:
        f.write("export const x = 1;\n")
    os.symlink("/etc/passwd", os.path.join(d, "leak.txt"))
    os.symlink("/etc", os.path.join(d, "etc"))
    svc = Service(env.db.url, migrate=False, ATTENDANCE_CONSOLE_DIR=d)
    try:
        eq(svc.request("GET", "/console/").body, b"<!doctype html><title>elsewhere</title>", "index of the setting's dir")
        r = svc.request("GET", "/console/js/main.js")
        eq((r.status, r.body), (200, b"export const x = 1;\n"), "a file in a subdirectory")
        for path in ("/console/leak.txt", "/console/js"):
            r = svc.request("GET", path)
            eq(r.status, 404, f"GET {path}")
            check(b"root:" not in r.body, f"{path} leaked /etc/passwd")
    finally:
        svc.close()


# ---- the session ----

@test
def console_login_sets_an_httponly_strict_session_cookie_and_a_csrf_cookie(env):
    r = console_login(env.svc)
    eq(r.status, 200, f"console login: {r}")
    body = r.json()
    eq(body["role"], "reviewer", "role")
    check("access_token" not in body, "the token is never in the body")
    c = set_cookies(r)
    session, session_attrs = c["attendance_session"]
    csrf, csrf_attrs = c["attendance_csrf"]
    check(session.count(".") == 2, "the session cookie holds the JWT")
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
        check(attr in session_attrs, f"session cookie lacks {attr}: {session_attrs}")
    check("Secure" not in session_attrs, "no Secure over plain HTTP without the setting")
    check("HttpOnly" not in csrf_attrs and "SameSite=Strict" in csrf_attrs, f"csrf cookie: {csrf_attrs}")
    eq(body["csrf_token"], csrf, "the body's csrf_token is the cookie's")
    check(re.fullmatch(r"[0-9a-f]{64}", csrf), f"csrf token {csrf!r}")
    # Behind a proxy that says https, only when the setting trusts it.
    r = console_login(env.svc, headers={"X-Forwarded-Proto": "https"})
    check("Secure" not in set_cookies(r)["attendance_session"][1], "X-Forwarded-Proto is not trusted by default")


@test
def cookies_are_secure_behind_tls(env):
    for setting, headers in (({"ATTENDANCE_BEHIND_TLS": "1"}, {}),
                             ({"ATTENDANCE_TRUST_FORWARDED_PROTO": "1"}, {"X-Forwarded-Proto": "https"})):
        svc = Service(env.db.url, migrate=False, **setting)
        try:
            c = set_cookies(console_login(svc, headers=headers))
            check("Secure" in c["attendance_session"][1], f"{setting}: {c}")
            check("Secure" in c["attendance_csrf"][1], f"{setting}: {c}")
        finally:
            svc.close()


@test
def employees_and_wrong_passwords_are_refused(env):
    r = console_login(env.svc, env.nip)
    eq((r.status, r.error_code()), (403, "forbidden"), "an employee at the console")
    eq(set_cookies(r), {}, "no cookie for a refused login")
    r = console_login(env.svc, "console-reviewer", "wrong password")
    eq((r.status, r.error_code()), (401, "invalid_credentials"), "wrong password")
    eq(set_cookies(r), {}, "no cookie for a wrong password")


@test
def console_and_api_logins_share_the_rate_limit(env):
    for _ in range(5):
        eq(console_login(env.svc, "nobody-console", "x").status, 401, "a failed console login")
    r = env.svc.request("POST", "/v1/auth/login", {"username": "nobody-console", "password": "x"})
    eq(r.status, 429, "the API login after five failed console logins")
    eq(console_login(env.svc, "nobody-console", "x").status, 429, "and the console's")


@test
def the_cookie_authenticates_reads_without_csrf(env):
    s = Session(env.svc)
    r = s.call("GET", "/v1/console/session", csrf=False)
    eq(r.status, 200, f"session: {r}")
    eq(r.json()["role"], "reviewer", "session role")
    eq(s.call("GET", "/v1/violations", csrf=False).status, 200, "a list read by cookie")
    r = request(env.svc, "GET", "/v1/violations", headers={"Cookie": "attendance_session=not.a.jwt"})
    eq((r.status, r.error_code()), (401, "invalid_token"), "a forged cookie")


@test
def every_change_by_cookie_needs_the_sessions_csrf_token(env):
    s, other = Session(env.svc), Session(env.svc)
    decision = {"decision": "dismissed", "note": "x", "version": 1}
    path = "/v1/violations/999999999/decision"
    r = s.call("POST", path, decision, csrf=False)
    eq((r.status, r.error_code()), (403, "forbidden"), "no X-CSRF-Token")
    r = s.call("POST", path, decision, csrf_value="0" * 64)
    eq((r.status, r.error_code()), (403, "forbidden"), "a wrong X-CSRF-Token")
    r = s.call("POST", path, decision, csrf_value=other.csrf)
    eq((r.status, r.error_code()), (403, "forbidden"), "another session's X-CSRF-Token")
    r = s.call("POST", path, decision)
    eq((r.status, r.error_code()), (404, "not_found"), "the right token reaches the handler")
    # Bearer clients are unchanged: no CSRF token needed.
    r = request(env.svc, "POST", path, decision, token=s.token)
    eq((r.status, r.error_code()), (404, "not_found"), "a bearer token needs no CSRF token")


@test
def logout_needs_csrf_and_clears_both_cookies(env):
    s = Session(env.svc)
    r = s.call("POST", "/v1/console/logout", csrf=False)
    eq(r.status, 403, "logout without X-CSRF-Token")
    r = s.call("POST", "/v1/console/logout")
    eq(r.status, 200, f"logout: {r}")
    c = set_cookies(r)
    for name in ("attendance_session", "attendance_csrf"):
        value, attrs = c[name]
        eq(value, "", f"{name} emptied")
        check("Max-Age=0" in attrs, f"{name} expires now: {attrs}")
    r = request(env.svc, "GET", "/v1/console/session")
    eq((r.status, r.error_code()), (401, "unauthenticated"), "no cookie, no session")


# ---- the unit's day (the console's page of a unit and date) ----

@test
def a_units_day_lists_each_employee_and_counts_against_the_cap(env):
    import datetime
    import zoneinfo
    from harness import Phone
    a = env.agency
    day = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date().isoformat()
    unit = a.unit(a.prefix + "-DAY", "administrative", parent_id=a.top["id"])
    a.office(unit["id"])  # present: an arrival inside an office
    present = Phone(env.svc, env.db, unit["id"])
    eq(present.checkin().status, 201, "a check-in")
    absent, _ = make_employee(env.db, unit["id"], name="Absen")
    env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code, status) VALUES (:'e', :'u', :'d', 'ABSENT', "
               "'pending')", f"e={absent}", f"u={unit['id']}", f"d={day}")
    home, _ = make_employee(env.db, unit["id"], name="Rumah")
    env.db.sql("INSERT INTO roster_entries (employee_id, day, unit_id, mode, start_min, end_min) "
               "VALUES (:'e', :'d', :'u', 'WFH', 450, 960)", f"e={home}", f"d={day}", f"u={unit['id']}")
    s = Session(env.svc)
    r = s.call("GET", f"/v1/units/{unit['id']}/days/{day}", csrf=False)
    eq(r.status, 200, f"unit day: {r}")
    d = r.json()
    eq((d["headcount"], d["wfo"], d["wfh"], d["absent"], d["wfh_percent"], d["cap_percent"], d["over_cap"]),
       (3, 2, 1, 1, 33.33, None, False), "the counts")
    by_id = {e["employee_id"]: e for e in d["employees"]}
    eq((by_id[str(present.employee_id)]["state"], by_id[str(present.employee_id)]["mode"]), ("present", "WFO"), "present")
    check(by_id[str(present.employee_id)]["first_in"] and by_id[str(present.employee_id)]["last_out"] is None,
          "first in, no out yet")
    eq(by_id[str(absent)]["state"], "absent", "flagged absent by the closure")
    eq((by_id[str(home)]["state"], by_id[str(home)]["mode"]), ("pending", "WFH"), "rostered WFH, not yet in")
    # A 10% cap of 3 people is nobody: the one WFH is over it.
    r = env.svc.request("POST", "/v1/policies", {"name": "ketat", "starts_on": day, "ends_on": day,
                                                 "applies_to": ["administrative"], "unit_id": unit["id"],
                                                 "max_wfh_percent": 10}, token=a.admin)
    eq(r.status, 201, f"policy: {r}")
    d = s.call("GET", f"/v1/units/{unit['id']}/days/{day}", csrf=False).json()
    eq((d["cap_percent"], d["over_cap"]), (10, True), "over the cap")
    # Scoped like the roster: another unit's supervisor sees nothing; a bad date is refused.
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id) SELECT 'day-sup', password_hash, "
               "'supervisor', :'unit' FROM accounts WHERE username = 'admin'", f"unit={a.unit_b['id']}")
    from harness import login
    other = login(env.svc, "day-sup", ADMIN_PASSWORD)
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/days/{day}", token=other)
    eq((r.status, r.error_code()), (404, "not_found"), "another unit's supervisor")
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/days/2023-02-30", token=a.admin)
    eq((r.status, r.error_code()), (422, "invalid_value"), "not a date")
