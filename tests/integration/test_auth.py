"""Login, tokens, the bootstrap admin, and units (the first admin endpoint)."""
import time

from harness import (ADMIN_PASSWORD, ADMIN_USER, JWT_SECRET, Agency, Database, Service, admin_env, check, eq,
                     good_claims, login, make_jwt, test)


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.admin_id = env.db.sql("SELECT id FROM accounts WHERE username = 'admin'")[0][0]
    return env


def teardown(env):
    env.close()


@test
def bootstrap_admin_is_created_once(env):
    eq(env.db.sql("SELECT count(*) FROM accounts WHERE role = 'admin'"), [["1"]], "admins")
    eq(env.db.sql("SELECT count(*) FROM audit_log WHERE entity = 'account' AND action = 'create'"), [["1"]],
       "audit entries for the admin")
    # A second start with the same setting (and another password) changes nothing.
    again = Service(env.db.url, ATTENDANCE_BOOTSTRAP_ADMIN=f"{ADMIN_USER}:another-password")
    try:
        eq(again.request("POST", "/v1/auth/login", {"username": ADMIN_USER, "password": "another-password"}).status,
           401, "the existing admin's password is kept")
    finally:
        again.close()
    eq(env.db.sql("SELECT count(*) FROM accounts WHERE role = 'admin'"), [["1"]], "admins after a restart")


@test
def login_answers_the_contract(env):
    r = env.svc.request("POST", "/v1/auth/login", {"username": ADMIN_USER, "password": ADMIN_PASSWORD})
    eq(r.status, 200, "status")
    body = r.json()
    eq(sorted(body), ["access_token", "expires_in", "password_change_required", "role", "token_type"], "fields")
    eq((body["token_type"], body["role"], body["expires_in"], body["password_change_required"]),
       ("Bearer", "admin", 900, False), "values (the bootstrap admin's password is the operator's own)")
    eq(body["access_token"].count("."), 2, "a JWT")


@test
def unknown_user_and_wrong_password_look_the_same(env):
    """The same answer after the same work. The work is the service's CPU time (an Argon2id verification, about
    70 ms, against well under 1 ms without it), which the machine's load does not change as it changes wall-clock
    times: this test once failed on a loaded machine when it compared those."""
    bodies = {}

    def attempt(name, user):
        def call():
            r = env.svc.request("POST", "/v1/auth/login", {"username": user, "password": "not-the-password"})
            eq(r.status, 401, f"status for the {name} case")
            bodies[name] = r.json()
        return call

    cpu = {name: env.svc.cpu_per_request([attempt(name, user)] * 4)
           for name, user in (("unknown", "nobody-" + str(time.time())), ("wrong", ADMIN_USER))}
    eq(bodies["unknown"], bodies["wrong"], "same body")
    eq(bodies["wrong"]["error"]["code"], "invalid_credentials", "code")
    check(cpu["wrong"] > 0.02, f"a wrong password costs a verification: {cpu}")
    check(cpu["unknown"] > 0.5 * cpu["wrong"] and cpu["wrong"] > 0.5 * cpu["unknown"], f"the same work: {cpu}")
    env.svc.request("POST", "/v1/auth/login", {"username": ADMIN_USER, "password": ADMIN_PASSWORD})  # reset


@test
def login_rejects_bad_bodies(env):
    cases = [(b"not json", "malformed_json", 400, None), (b"[]", "malformed_json", 400, None),
             (b'{"username": 5, "password": "x"}', "invalid_field", 400, "username"),
             (b'{"username": "a"}', "invalid_field", 400, "password"),
             (b'{"username": "a", "username": "b", "password": "x"}', "malformed_json", 400, None)]
    for body, code, status, field in cases:
        r = env.svc.request("POST", "/v1/auth/login", body, headers={"Content-Type": "application/json"})
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (status, code, field), f"for {body!r}")
    r = env.svc.request("POST", "/v1/auth/login", b"username=a", headers={"Content-Type": "text/plain"})
    eq((r.status, r.error_code()), (415, "unsupported_media_type"), "wrong content type")


def throttled_service(**env):
    """A service of its own whose login counts start empty."""
    db = Database()
    svc = Service(db.url, ATTENDANCE_BOOTSTRAP_ADMIN=f"{ADMIN_USER}:{ADMIN_PASSWORD}", **env)
    return db, svc


def add_admin_copy(db, user):
    db.sql("INSERT INTO accounts (username, password_hash, role) SELECT :'u', password_hash, 'admin' "
           "FROM accounts WHERE username = 'admin'", f"u={user}")


def try_login(svc, user, password, **headers):
    return svc.request("POST", "/v1/auth/login", {"username": user, "password": password}, headers=headers)


@test
def repeated_failures_delay_the_next_try_and_success_resets(env):
    """Past ATTENDANCE_LOGIN_MAX_FAILURES, each try waits a delay that doubles: 429 with Retry-After, never a lock."""
    db, svc = throttled_service(ATTENDANCE_LOGIN_DELAY_S="60", ATTENDANCE_LOGIN_MAX_DELAY_S="100")
    try:
        user = "throttle-user"
        add_admin_copy(db, user)
        # Four failures, then a success (with the admin's password, which this copy shares) resets the count.
        for _ in range(4):
            eq(try_login(svc, user, "wrong").status, 401, "fail")
        eq(try_login(svc, user, ADMIN_PASSWORD).status, 200, "ok")
        for _ in range(5):
            eq(try_login(svc, user, "wrong").status, 401, "fail")
        r = try_login(svc, user, ADMIN_PASSWORD)
        eq((r.status, r.error_code()), (429, "rate_limited"), "the next try must wait, even with the right password")
        retry = int(r.headers["retry-after"])
        check(55 <= retry <= 60, f"Retry-After {retry}: the first delay")
        eq(try_login(svc, ADMIN_USER, ADMIN_PASSWORD).status, 200, "another user is not delayed")
        # After the wait (moved back in the database rather than slept), one try; its failure doubles the wait.
        db.sql("UPDATE login_failures SET last_failure = last_failure - interval '60 seconds' WHERE key = :'k'",
               f"k=user:{user}")
        eq(try_login(svc, user, "wrong").status, 401, "a try after the wait")
        retry = int(try_login(svc, user, ADMIN_PASSWORD).headers["retry-after"])
        check(95 <= retry <= 100, f"Retry-After {retry}: doubled, up to ATTENDANCE_LOGIN_MAX_DELAY_S")
        db.sql("UPDATE login_failures SET last_failure = last_failure - interval '100 seconds' WHERE key = :'k'",
               f"k=user:{user}")
        eq(try_login(svc, user, ADMIN_PASSWORD).status, 200, "the right password after the wait")
        eq(db.sql("SELECT count(*) FROM login_failures WHERE key = :'k'", f"k=user:{user}"), [["0"]], "reset")
    finally:
        svc.close()
        db.drop()


@test
def five_bad_logins_lock_nobody_out(env):
    """Someone else's five bad guesses at 07:00 cost the owner a second's wait, not 15 minutes."""
    db, svc = throttled_service()
    try:
        user = "pegawai-0700"
        add_admin_copy(db, user)
        for _ in range(5):
            eq(try_login(svc, user, "a guess").status, 401, "a guess")
        r = try_login(svc, user, ADMIN_PASSWORD)
        if r.status == 429:
            eq(r.headers["retry-after"], "1", "the first delay is a second")
            time.sleep(1.1)
            r = try_login(svc, user, ADMIN_PASSWORD)
        eq(r.status, 200, "the owner logs in")
    finally:
        svc.close()
        db.drop()


@test
def concurrent_guesses_cannot_all_pass_the_check(env):
    """Each attempt is counted before its password is verified: of 16 guesses at once, only the free ones run."""
    import concurrent.futures
    db, svc = throttled_service(ATTENDANCE_LOGIN_MAX_FAILURES="3", ATTENDANCE_LOGIN_DELAY_S="300")
    try:
        user = "guessed-user"
        add_admin_copy(db, user)
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda i: try_login(svc, user, f"guess-{i}").status, range(16)))
        eq(sorted(set(statuses)), [401, 429], f"statuses {statuses}")
        eq(statuses.count(401), 3, f"only the 3 free failures were verified: {statuses}")
        eq(db.sql("SELECT failures FROM login_failures WHERE key = :'k'", f"k=user:{user}"), [["3"]], "counted")
    finally:
        svc.close()
        db.drop()


@test
def an_ipv6_client_is_counted_by_its_64(env):
    """Rotating addresses inside one /64 evades nothing; another /64 is another client."""
    db, svc = throttled_service(ATTENDANCE_LOGIN_MAX_FAILURES_PER_ADDRESS="4", ATTENDANCE_TRUSTED_PROXIES="127.0.0.1")
    try:
        for i in range(4):
            r = try_login(svc, f"v6-{i}", "x", **{"X-Forwarded-For": f"2001:db8:1:2::{i + 1:x}"})
            eq(r.status, 401, f"a failure from 2001:db8:1:2::{i + 1:x}")
        r = try_login(svc, "v6-9", "x", **{"X-Forwarded-For": "2001:db8:1:2:ffff:1:2:3"})
        eq(r.status, 429, "another address of the same /64")
        eq(try_login(svc, "v6-9", "x", **{"X-Forwarded-For": "2001:db8:1:3::1"}).status, 401, "the next /64")
        eq(db.sql("SELECT key FROM login_failures WHERE key LIKE 'addr:%' ORDER BY key"),
           [["addr:2001:db8:1:2::/64"], ["addr:2001:db8:1:3::/64"]], "the keys are the /64s")
        # A success forgives the address its attempt: an office behind one address is not blocked by its logins.
        for _ in range(6):
            eq(try_login(svc, ADMIN_USER, ADMIN_PASSWORD, **{"X-Forwarded-For": "2001:db8:1:4::1"}).status, 200,
               "a good login from an office")
    finally:
        svc.close()
        db.drop()


@test
def failures_per_address_are_limited(env):
    db = Database()
    svc = Service(db.url, ATTENDANCE_LOGIN_MAX_FAILURES_PER_ADDRESS="6")
    try:
        for i in range(6):
            eq(svc.request("POST", "/v1/auth/login", {"username": f"u{i}", "password": "x"}).status, 401, "fail")
        r = svc.request("POST", "/v1/auth/login", {"username": "someone-else", "password": "x"})
        eq(r.status, 429, "the address is blocked whatever the username")
        check(r.headers.get("retry-after", "").isdigit(), "Retry-After")
    finally:
        svc.close()
        db.drop()


@test
def behind_a_trusted_proxy_the_forwarded_address_counts(env):
    """ATTENDANCE_TRUSTED_PROXIES: nginx's X-Forwarded-For (its last address) is the client; others' is ignored."""
    db, db_plain = Database(), Database()  # the failures are counted in the database: one each
    trusting = Service(db.url, ATTENDANCE_LOGIN_MAX_FAILURES_PER_ADDRESS="3",
                       ATTENDANCE_TRUSTED_PROXIES="::1,127.0.0.1")
    plain = Service(db_plain.url, ATTENDANCE_LOGIN_MAX_FAILURES_PER_ADDRESS="3")
    try:
        def login_from(svc, forwarded, i):
            return svc.request("POST", "/v1/auth/login", {"username": f"p{i}", "password": "x"},
                               headers={"X-Forwarded-For": forwarded}).status
        # The client's own X-Forwarded-For comes first; the proxy appends the address it saw.
        for i in range(3):
            eq(login_from(trusting, f"192.0.2.{i}, 10.1.1.1", i), 401, "a failure from 10.1.1.1")
        eq(login_from(trusting, "10.1.1.1", 9), 429, "10.1.1.1 is blocked")
        eq(login_from(trusting, "10.1.1.1, 10.2.2.2", 9), 401, "10.2.2.2 is not (the last address counts)")
        eq(login_from(trusting, "not an address", 9), 401, "a header that is no address: the peer's, 127.0.0.1, "
           "which has no failures")
        # Not trusted: the header is the client's word, and changing it evades nothing.
        for i in range(3):
            eq(login_from(plain, f"10.3.3.{i}", i), 401, "a failure")
        eq(login_from(plain, "10.9.9.9", 9), 429, "the peer's address is blocked whatever the header says")
    finally:
        trusting.close()
        plain.close()
        db.drop()
        db_plain.drop()


@test
def bad_tokens_are_401(env):
    sub = env.admin_id
    tokens = {
        "none header": None,
        "not bearer": "Basic YWRtaW46YWRtaW4=",
        "garbage": "Bearer not.a.token",
        "alg none": "Bearer " + make_jwt(good_claims(sub, "admin"), alg="none"),
        "alg none, empty signature": "Bearer " + make_jwt(good_claims(sub, "admin"), alg="none") + "x",
        "HS512 with the secret": "Bearer " + make_jwt(good_claims(sub, "admin"), alg="HS512"),
        "wrong audience": "Bearer " + make_jwt(good_claims(sub, "admin", aud="someone-else")),
        "wrong issuer": "Bearer " + make_jwt(good_claims(sub, "admin", iss="evil")),
        "bad signature": "Bearer " + make_jwt(good_claims(sub, "admin"), secret="x" * 40),
        "expired": "Bearer " + make_jwt(good_claims(sub, "admin", exp=int(time.time()) - 5)),
        "no exp": "Bearer " + make_jwt({k: v for k, v in good_claims(sub, "admin").items() if k != "exp"}),
        "no jti": "Bearer " + make_jwt({k: v for k, v in good_claims(sub, "admin").items() if k != "jti"}),
        "unknown role": "Bearer " + make_jwt(good_claims(sub, "root")),
        "issued in the future": "Bearer " + make_jwt(good_claims(sub, "admin", iat=int(time.time()) + 3600,
                                                                  exp=int(time.time()) + 4000)),
        "aud as a list": "Bearer " + make_jwt(good_claims(sub, "admin", aud=["attendance-api"])),
    }
    for name, header in tokens.items():
        headers = {"Authorization": header} if header else {}
        r = env.svc.request("GET", "/v1/units", headers=headers)
        eq(r.status, 401, f"{name}: status")
        check(r.error_code() in ("unauthenticated", "invalid_token"), f"{name}: code {r.error_code()}")
    good = "Bearer " + make_jwt(good_claims(sub, "admin"))
    eq(env.svc.request("GET", "/v1/units", headers={"Authorization": good}).status, 200, "a well-made token works")
    eq(JWT_SECRET != "x" * 40, True, "the bad-signature case used another secret")


@test
def a_token_verified_once_still_expires(env):
    # Verified tokens are remembered; the expiry must still be checked on every use.
    token = make_jwt(good_claims(env.admin_id, "admin", exp=int(time.time()) + 2))
    eq(env.svc.request("GET", "/v1/units", headers={"Authorization": "Bearer " + token}).status, 200, "while valid")
    eq(env.svc.request("GET", "/v1/units", headers={"Authorization": "Bearer " + token}).status, 200, "again")
    time.sleep(2.5)
    r = env.svc.request("GET", "/v1/units", headers={"Authorization": "Bearer " + token})
    eq(r.status, 401, "after its exp")
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    eq(env.svc.request("GET", "/v1/units", headers={"Authorization": "Bearer " + tampered}).status, 401,
       "other bytes are not the verified token")


@test
def a_token_whose_role_no_longer_matches_stops_working(env):
    forged_role = "Bearer " + make_jwt(good_claims(env.admin_id, "reviewer"))
    eq(env.svc.request("GET", "/v1/units", headers={"Authorization": forged_role}).status, 401,
       "the account is an admin, not a reviewer")


@test
def a_disabled_accounts_tokens_stop_working(env):
    env.db.sql("INSERT INTO accounts (username, password_hash, role) SELECT 'soon-disabled', password_hash, 'admin' "
               "FROM accounts WHERE username = 'admin'")
    token = login(env.svc, "soon-disabled", ADMIN_PASSWORD)
    eq(env.svc.request("GET", "/v1/units", token=token).status, 200, "before")
    env.db.sql("UPDATE accounts SET disabled = true WHERE username = 'soon-disabled'")
    r = env.svc.request("GET", "/v1/units", token=token)
    eq((r.status, r.error_code()), (401, "invalid_token"), "after")
    eq(env.svc.request("POST", "/v1/auth/login", {"username": "soon-disabled", "password": ADMIN_PASSWORD}).status,
       401, "no new token either")


@test
def units_are_created_with_defaults_and_validated(env):
    a = env.agency
    eq(a.top["agency_id"], a.top["id"], "a top-level unit is its own agency")
    eq(a.unit_a["agency_id"], a.top["id"], "a child's agency")
    eq(a.unit_a["work_hours"]["mon"], ["07:30", "16:00"], "default Monday")
    eq(a.unit_a["work_hours"]["fri"], ["07:30", "16:30"], "default Friday")
    check("sat" not in a.unit_a["work_hours"], "Saturday off")
    eq(a.unit_a["grace_minutes"], 0, "default grace")
    check(isinstance(a.unit_a["id"], str), "ids are strings")
    wit = a.unit(a.prefix + "-WIT", "essential", timezone="Asia/Jayapura", grace_minutes=15,
                 work_hours={"mon": ["08:00", "16:00"], "sat": ["08:00", "12:00"]})
    eq((wit["timezone"], wit["grace_minutes"], wit["work_hours"]),
       ("Asia/Jayapura", 15, {"mon": ["08:00", "16:00"], "sat": ["08:00", "12:00"]}), "explicit values")
    bad = [
        ({"timezone": "Asia/Atlantis"}, 422, "timezone"),
        ({"timezone": "../../etc/passwd"}, 422, "timezone"),
        ({"category": "military"}, 422, "category"),
        ({"code": "has space"}, 422, "code"),
        ({"name": ""}, 422, "name"),
        ({"grace_minutes": 241}, 422, "grace_minutes"),
        ({"grace_minutes": "5"}, 422, "grace_minutes"),
        ({"work_hours": {"mon": ["16:00", "07:30"]}}, 422, "work_hours"),
        ({"work_hours": {"funday": ["07:00", "08:00"]}}, 422, "work_hours"),
        ({"work_hours": {"mon": ["7:30", "16:00"]}}, 422, "work_hours"),
        ({"parent_id": "999999999"}, 422, "parent_id"),
        ({"parent_id": 5}, 400, "parent_id"),
        ({"code": 7}, 400, "code"),
        ({"timezone": None}, 400, "timezone"),
    ]
    for change, status, field in bad:
        body = {"code": a.prefix + "-X", "name": "X", "category": "administrative", "timezone": "Asia/Jakarta"}
        body.update(change)
        r = env.svc.request("POST", "/v1/units", body, token=a.admin)
        eq(r.status, status, f"{change}: status ({r})")
        eq(r.json()["error"].get("field"), field, f"{change}: field")
    r = env.svc.request("POST", "/v1/units", {"code": a.prefix + "-A", "name": "dup", "category": "critical",
                                                "timezone": "Asia/Jakarta"}, token=a.admin)
    eq((r.status, r.error_code()), (409, "already_exists"), "duplicate code")
    eq(env.db.sql("SELECT count(*) FROM units WHERE code = :'c'", f"c={a.prefix}-X"), [["0"]], "nothing stored")


@test
def unit_changes_are_audited(env):
    rows = env.db.sql("SELECT actor, action, entity, after->>'code' FROM audit_log WHERE entity = 'unit' "
                      "AND entity_id = :'id'", f"id={env.agency.unit_a['id']}")
    eq(rows, [["admin", "create", "unit", env.agency.unit_a["code"]]], "audit row")


@test
def units_read_back_and_page(env):
    a = env.agency
    r = env.svc.request("GET", f"/v1/units/{a.unit_a['id']}", token=a.admin)
    eq((r.status, r.json()), (200, a.unit_a), "read back")
    eq(env.svc.request("GET", "/v1/units/999999999", token=a.admin).status, 404, "unknown unit")
    eq(env.svc.request("GET", "/v1/units/abc", token=a.admin).status, 404, "malformed id")
    seen = []
    cursor = None
    while True:
        path = "/v1/units?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = env.svc.request("GET", path, token=a.admin).json()
        check(len(page["items"]) <= 2, "limit honoured")
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    eq(len(seen), len(set(seen)), "no unit twice")
    check({a.top["id"], a.unit_a["id"], a.unit_b["id"]} <= set(seen), "all units seen")
    for q in ("limit=0", "limit=501", "limit=x", "cursor=zz"):
        eq(env.svc.request("GET", "/v1/units?" + q, token=a.admin).status, 400, q)
