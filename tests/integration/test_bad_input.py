"""
Bad input on every decoder: malformed and truncated JSON, wrong types, huge numbers, NaN and
Infinity, overlong strings, invalid UTF-8, depth bombs, broken multipart bodies and lying
Content-Lengths, a 2 GiB Content-Length, images passed off as another type. Each case gets its
4xx with the contract's error body and leaves no row in any table; and SQL and HTML in every text
field are stored and read back verbatim.
"""
import json
import secrets
import socket
import time

from harness import (ADMIN_PASSWORD, Agency, Phone, admin_env, check, eq, jpeg, login, make_employee, multipart,
                     png, test)

BALAI_KOTA = (-6.1818, 106.8283)
# Every table a request could write (login_failures aside: a failed login is meant to count).
TABLES = ["units", "offices", "employees", "accounts", "policies", "holidays", "devices", "homes", "roster_entries",
          "selfies", "checkins", "violations", "violation_decisions", "audit_log"]
# SQL, HTML, quotes, backslashes and non-ASCII text that must come back as sent.
EVIL_SHORT = "x'); DROP TABLE devices;-- <b onclick=\"a()\">&amp;</b> ñ"  # a device label: 100 bytes at most
EVIL = "Robert'); DROP TABLE units;-- <script>alert(\"x\")</script> <img src=x onerror=alert(1)> &amp; \\ % _ ñ 💥"


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    env.unit = a.unit(a.prefix + "-BAD", "administrative", parent_id=a.top["id"], work_hours={})
    r = env.svc.request("POST", "/v1/offices", {"unit_id": env.unit["id"], "name": "Balai Kota", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    env.phone = Phone(env.svc, env.db, env.unit["id"])
    username = "reviewer-" + secrets.token_hex(4)
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id) "
               "SELECT :'u', password_hash, 'reviewer', :'unit' FROM accounts WHERE username = 'admin'",
               f"u={username}", f"unit={a.top['id']}")
    env.tokens = {"admin": a.admin, "employee": env.phone.token, "reviewer": login(env.svc, username, ADMIN_PASSWORD)}
    env.violation_id = env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code) "
                                  "VALUES (:'e', :'u', '2023-09-04', 'ABSENT') RETURNING id",
                                  f"e={env.phone.employee_id}", f"u={env.unit['id']}")[0][0]
    return env


def teardown(env):
    env.close()


def counts(env):
    return dict(env.db.sql(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in TABLES)))


def expect(env, what, response, status, code):
    """The answer is status with the contract's error body of code."""
    check(response.status == status, f"{what}: status {response.status}, want {status}: {response!r}")
    body = response.json()
    eq(sorted(body), ["error"], f"{what}: the error body")
    check(isinstance(body["error"].get("message"), str), f"{what}: a message")
    eq(body["error"]["code"], code, f"{what}: the error code")


def raw_exchange(env, data, shut_write=False, timeout=10):
    """Sends bytes on a fresh connection; returns what comes back until the server closes (b'' if nothing)."""
    with socket.create_connection(("127.0.0.1", env.svc.port), timeout=timeout) as s:
        s.sendall(data)
        if shut_write:
            s.shutdown(socket.SHUT_WR)
        got = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return got


def unit_body(**override):
    body = {"code": "BAD-" + secrets.token_hex(3).upper(), "name": "Unit", "category": "administrative",
            "timezone": "Asia/Jakarta"}
    body.update(override)
    return body


def with_raw(template, marker, text):
    """The JSON of template with the string value marker replaced by raw JSON text (for what json.dumps cannot say)."""
    return json.dumps(template).replace(json.dumps(marker), text).encode()


UNIT = unit_body(name="@@")
DEEP = 20000
# (what, method, path, body bytes, content type, role, status, code)
JSON_CASES = [
    ("malformed", "POST", "/v1/units", b'{"code": "X", "name": }', "application/json", "admin", 400, "malformed_json"),
    ("truncated", "POST", "/v1/units", json.dumps(UNIT).encode()[:-7], "application/json", "admin", 400,
     "malformed_json"),
    ("empty", "POST", "/v1/units", b"", "application/json", "admin", 400, "malformed_json"),
    ("an array, not an object", "POST", "/v1/units", b"[1, 2]", "application/json", "admin", 400, "malformed_json"),
    ("a duplicate key", "POST", "/v1/units", b'{"code": "A", "code": "B"}', "application/json", "admin", 400,
     "malformed_json"),
    ("trailing garbage", "POST", "/v1/units", json.dumps(UNIT).encode() + b"}", "application/json", "admin", 400,
     "malformed_json"),
    ("a number for a string", "POST", "/v1/units", json.dumps(unit_body(code=7)).encode(), "application/json",
     "admin", 400, "invalid_field"),
    ("an array for a string", "POST", "/v1/units", json.dumps(unit_body(category=["administrative"])).encode(),
     "application/json", "admin", 400, "invalid_field"),
    ("null for a string", "POST", "/v1/units", json.dumps(unit_body(name=None)).encode(), "application/json", "admin",
     400, "invalid_field"),
    ("NaN", "POST", "/v1/units", with_raw(unit_body(grace_minutes="@@"), "@@", "NaN"), "application/json", "admin",
     400, "malformed_json"),
    ("Infinity", "POST", "/v1/units", with_raw(unit_body(grace_minutes="@@"), "@@", "Infinity"), "application/json",
     "admin", 400, "malformed_json"),
    ("-Infinity", "POST", "/v1/units", with_raw(unit_body(grace_minutes="@@"), "@@", "-Infinity"),
     "application/json", "admin", 400, "malformed_json"),
    ("a real beyond double", "POST", "/v1/units", with_raw(unit_body(grace_minutes="@@"), "@@", "1e400"),
     "application/json", "admin", 400, "malformed_json"),
    ("an integer beyond 64 bits", "POST", "/v1/units",
     with_raw(unit_body(grace_minutes="@@"), "@@", "123456789012345678901234567890"), "application/json", "admin",
     400, "malformed_json"),
    ("the largest 64-bit integer", "POST", "/v1/units", json.dumps(unit_body(grace_minutes=2 ** 63 - 1)).encode(),
     "application/json", "admin", 422, "invalid_value"),
    ("a negative grace", "POST", "/v1/units", json.dumps(unit_body(grace_minutes=-1)).encode(), "application/json",
     "admin", 422, "invalid_value"),
    ("an overlong name", "POST", "/v1/units", json.dumps(unit_body(name="n" * 5000)).encode(), "application/json",
     "admin", 422, "invalid_value"),
    ("a body over the limit", "POST", "/v1/units", json.dumps(unit_body(name="n" * 70000)).encode(),
     "application/json", "admin", 413, "payload_too_large"),
    ("invalid UTF-8", "POST", "/v1/units", json.dumps(UNIT).encode().replace(b"@@", b"\xff\xfe"), "application/json",
     "admin", 400, "malformed_json"),
    ("an overlong UTF-8 encoding", "POST", "/v1/units", json.dumps(UNIT).encode().replace(b"@@", b"\xc0\xaf"),
     "application/json", "admin", 400, "malformed_json"),
    ("a lone surrogate", "POST", "/v1/units", with_raw(UNIT, "@@", '"\\ud800"'), "application/json", "admin", 400,
     "malformed_json"),
    ("a NUL in a string", "POST", "/v1/units", with_raw(UNIT, "@@", '"a\\u0000b"'), "application/json", "admin", 400,
     "malformed_json"),
    ("a control character in a name", "POST", "/v1/units", with_raw(UNIT, "@@", '"a\\u0007b"'), "application/json",
     "admin", 422, "invalid_value"),
    ("a depth bomb", "POST", "/v1/units", b"[" * DEEP + b"]" * DEEP, "application/json", "admin", 400,
     "malformed_json"),
    ("a depth bomb in a field", "POST", "/v1/units", with_raw(UNIT, "@@", "[" * DEEP + "]" * DEEP),
     "application/json", "admin", 400, "malformed_json"),
    ("text/plain", "POST", "/v1/units", json.dumps(UNIT).encode(), "text/plain", "admin", 415,
     "unsupported_media_type"),
    ("no Content-Type", "POST", "/v1/units", json.dumps(UNIT).encode(), None, "admin", 415, "unsupported_media_type"),
    ("application/jsonx", "POST", "/v1/units", json.dumps(UNIT).encode(), "application/jsonx", "admin", 415,
     "unsupported_media_type"),
    # Offices: the geofence JSON.
    ("a NaN radius", "POST", "/v1/offices", b'{"unit_id": "@U", "name": "O", "geofence": {"type": "circle", '
     b'"lat": -6.1, "lon": 106.8, "radius_m": NaN}}', "application/json", "admin", 400, "malformed_json"),
    ("a radius of 1e308", "POST", "/v1/offices", b'{"unit_id": "@U", "name": "O", "geofence": {"type": "circle", '
     b'"lat": -6.1, "lon": 106.8, "radius_m": 1e308}}', "application/json", "admin", 422, "invalid_value"),
    ("a latitude of 1e400", "POST", "/v1/offices", b'{"unit_id": "@U", "name": "O", "geofence": {"type": "circle", '
     b'"lat": 1e400, "lon": 106.8, "radius_m": 10}}', "application/json", "admin", 400, "malformed_json"),
    ("a latitude as text", "POST", "/v1/offices", b'{"unit_id": "@U", "name": "O", "geofence": {"type": "circle", '
     b'"lat": "-6.1", "lon": 106.8, "radius_m": 10}}', "application/json", "admin", 422, "invalid_value"),
    ("a polygon of two points", "POST", "/v1/offices", b'{"unit_id": "@U", "name": "O", "geofence": {"type": '
     b'"polygon", "coordinates": [[106.8, -6.1], [106.9, -6.2]]}}', "application/json", "admin", 422,
     "invalid_value"),
    ("nested coordinates", "POST", "/v1/offices", b'{"unit_id": "@U", "name": "O", "geofence": {"type": "polygon", '
     b'"coordinates": ' + b"[" * 3000 + b"]" * 3000 + b"}}", "application/json", "admin", 400, "malformed_json"),
    ("an id beyond 64 bits", "POST", "/v1/offices", b'{"unit_id": "99999999999999999999999", "name": "O", '
     b'"geofence": {"type": "circle", "lat": -6.1, "lon": 106.8, "radius_m": 10}}', "application/json", "admin",
     400, "invalid_field"),
    # Employees, logins, homes, devices, decisions.
    ("a NIP as a number", "POST", "/v1/employees", b'{"nip": 198503122010012001, "name": "N", "unit_id": "@U", '
     b'"password": "long-enough-password"}', "application/json", "admin", 400, "invalid_field"),
    ("a NIP of 19 digits", "POST", "/v1/employees", b'{"nip": "1985031220100120019", "name": "N", "unit_id": "@U", '
     b'"password": "long-enough-password"}', "application/json", "admin", 422, "invalid_value"),
    ("an overlong username", "POST", "/v1/auth/login", json.dumps({"username": "u" * 5000, "password": "p"}).encode(),
     "application/json", None, 400, "invalid_field"),
    ("a password over the body limit", "POST", "/v1/auth/login",
     json.dumps({"username": "u", "password": "p" * 100000}).encode(), "application/json", None, 413,
     "payload_too_large"),
    ("a home at NaN", "POST", "/v1/homes", b'{"lat": NaN, "lon": 106.8, "address": "Jl. 1"}', "application/json",
     "employee", 400, "malformed_json"),
    ("a home at latitude 91", "POST", "/v1/homes", b'{"lat": 91, "lon": 106.8, "address": "Jl. 1"}',
     "application/json", "employee", 422, "invalid_value"),
    ("an overlong address", "POST", "/v1/homes", json.dumps({"lat": -6.2, "lon": 106.8, "address": "a" * 600}).encode(),
     "application/json", "employee", 422, "invalid_value"),
    ("a key of 1000 bytes", "POST", "/v1/devices", json.dumps({"public_key": "A" * 1000, "label": "p"}).encode(),
     "application/json", "employee", 422, "invalid_value"),
    ("a version of 1e400", "POST", "/v1/violations/@V/decision",
     b'{"decision": "dismissed", "sanction": null, "note": "n", "version": 1e400}', "application/json", "reviewer",
     400, "malformed_json"),
    ("a version beyond int", "POST", "/v1/violations/@V/decision",
     b'{"decision": "dismissed", "sanction": null, "note": "n", "version": 9223372036854775807}', "application/json",
     "reviewer", 400, "invalid_field"),
    ("an overlong note", "POST", "/v1/violations/@V/decision", json.dumps({
        "decision": "dismissed", "sanction": None, "note": "n" * 20000, "version": 1}).encode(), "application/json",
     "reviewer", 422, "invalid_value"),
    ("a roster with a depth bomb", "PUT", "/v1/units/@U/roster/2023-09-05",
     b'{"entries": ' + b"[" * 3000 + b"]" * 3000 + b"}", "application/json", "admin", 400, "malformed_json"),
    ("a roster entry of a huge id", "PUT", "/v1/units/@U/roster/2023-09-05",
     b'{"entries": [{"employee_id": "99999999999999999999999", "mode": "WFO"}]}', "application/json", "admin", 400,
     "invalid_field"),
]

# Paths and queries: (what, path, role, status, code)
PATH_CASES = [
    ("an id beyond 64 bits", "/v1/units/99999999999999999999999999", "admin", 404, "not_found"),
    ("a negative id", "/v1/units/-1", "admin", 404, "not_found"),
    ("an id with SQL", "/v1/units/1%20OR%201=1", "admin", 404, "not_found"),
    ("a NUL in the path", "/v1/units/1%00", "admin", 404, "not_found"),
    ("a NUL and more in the path", "/v1/units/1%00/roster/2023-09-05", "admin", 404, "not_found"),
    ("a NUL in a query argument", "/v1/violations?status=pending%00x", "reviewer", 400, "invalid_field"),
    ("a date that is not one", "/v1/units/@U/roster/2023-02-30", "admin", 422, "invalid_value"),
    ("a limit of a billion", "/v1/violations?limit=1000000000", "reviewer", 400, "invalid_field"),
    ("a negative limit", "/v1/violations?limit=-1", "reviewer", 400, "invalid_field"),
    ("a forged cursor", "/v1/violations?cursor=%27%3B%20DROP%20TABLE%20violations%3B--", "reviewer", 400,
     "invalid_field"),
    ("a status with HTML", "/v1/violations?status=%3Cscript%3E", "reviewer", 400, "invalid_field"),
]


def fill(env, text):
    return text.replace("@U", env.unit["id"]).replace("@V", env.violation_id)


@test
def json_bodies_that_are_wrong_get_their_4xx_and_leave_no_row(env):
    before = counts(env)
    for what, method, path, body, ctype, role, status, code in JSON_CASES:
        body = body.replace(b"@U", env.unit["id"].encode()).replace(b"@V", env.violation_id.encode())
        headers = {"Content-Type": ctype} if ctype else {}
        r = env.svc.request(method, fill(env, path), body, headers=headers,
                            token=env.tokens[role] if role else None)
        expect(env, what, r, status, code)
    eq(counts(env), before, "no row left by any of them")


@test
def paths_and_queries_that_are_wrong_get_their_4xx(env):
    for what, path, role, status, code in PATH_CASES:
        expect(env, what, env.svc.request("GET", fill(env, path), token=env.tokens[role]), status, code)


def checkin_parts(p, payload=None, selfie=None):
    payload = payload if payload is not None else p.payload(selfie=selfie)
    parts = [("payload", payload, "application/json"), ("signature", p.sign(payload).encode(), "text/plain")]
    if selfie is not None:
        parts.append(("selfie", selfie, "image/jpeg"))
    return parts


def post_checkin(env, body, ctype, extra_headers=None):
    headers = {"Content-Type": ctype}
    headers.update(extra_headers or {})
    return env.svc.request("POST", "/v1/checkins", body, headers=headers, token=env.phone.token)


@test
def multipart_bodies_that_are_wrong_get_their_4xx_and_leave_no_row(env):
    p = env.phone
    before = counts(env)
    good, ctype = multipart(checkin_parts(p))
    boundary = ctype.split("boundary=")[1]
    photo_png, photo_jpeg = png(), jpeg()
    cases = [
        ("no boundary", good, "multipart/form-data", 400, "malformed_request"),
        ("another boundary", good, "multipart/form-data; boundary=other", 400, "malformed_request"),
        ("a boundary of 71 characters", good, "multipart/form-data; boundary=" + "b" * 71, 400, "malformed_request"),
        ("truncated in a part", good[:len(good) // 2], ctype, 400, "malformed_request"),
        ("no closing delimiter", good[:-len(boundary) - 6], ctype, 400, "malformed_request"),
        ("empty", b"", ctype, 400, "malformed_request"),
        ("a part without a name", good.replace(b'form-data; name="signature"', b"form-data"), ctype, 400,
         "malformed_request"),
        ("a part without headers",
         good.replace(b'Content-Disposition: form-data; name="signature"\r\nContent-Type: text/plain\r\n', b""),
         ctype, 400, "malformed_request"),
        ("no payload", multipart(checkin_parts(p)[1:])[0], None, 400, "malformed_request"),
        ("no signature", multipart(checkin_parts(p)[:1])[0], None, 400, "malformed_request"),
        ("an empty payload", multipart([("payload", b"", "application/json")] + checkin_parts(p)[1:])[0], None, 400,
         "malformed_request"),
        ("two signatures", multipart(checkin_parts(p) + checkin_parts(p)[1:])[0], None, 400, "malformed_request"),
        ("two selfies", multipart(checkin_parts(p, selfie=photo_jpeg) + [("selfie", photo_jpeg, "image/jpeg")])[0],
         None, 400, "malformed_request"),
        ("a PNG named JPEG", multipart(checkin_parts(p, selfie=photo_png))[0], None, 415, "unsupported_media_type"),
        ("a JPEG named PNG", multipart(checkin_parts(p, selfie=photo_jpeg)[:2] + [
            ("selfie", photo_jpeg, "image/png")])[0], None, 415, "unsupported_media_type"),
        ("a GIF", multipart(checkin_parts(p, selfie=b"GIF89a" + b"x" * 100))[0], None, 415, "unsupported_media_type"),
        ("a payload with NaN", multipart(checkin_parts(p, p.payload().replace(b'"lat": -6.1818', b'"lat": NaN')))[0],
         None, 400, "malformed_request"),
        ("a payload with 1e400", multipart(checkin_parts(p, p.payload().replace(b'"lat": -6.1818', b'"lat": 1e400')))[0],
         None, 400, "malformed_request"),
        ("a payload with Infinity accuracy", multipart(checkin_parts(p, p.payload(accuracy=float("inf"))))[0], None, 400,
         "malformed_request"),
        ("a payload of invalid UTF-8", multipart(checkin_parts(p, p.payload(type="in").replace(b'"in"', b'"\xff"')))[0],
         None, 400, "malformed_request"),
        ("a payload depth bomb", multipart(checkin_parts(p, b"[" * 2000 + b"]" * 2000))[0], None, 400,
         "malformed_request"),
        ("a payload that is an array", multipart(checkin_parts(p, b"[]"))[0], None, 400, "malformed_request"),
        ("a device id beyond 64 bits", multipart(checkin_parts(p, p.payload(device_id="99999999999999999999999")))[0],
         None, 400, "malformed_request"),
        ("a payload over 4096 bytes", multipart(checkin_parts(p, p.payload(label="x" * 5000)))[0], None, 413,
         "payload_too_large"),
        ("a signature of 200 bytes", multipart(checkin_parts(p)[:1] + [("signature", b"A" * 200, "text/plain")])[0],
         None, 413, "payload_too_large"),
        ("a signature that is not base64url", multipart(checkin_parts(p)[:1] + [("signature", b"!" * 86, "text/plain")])[0],
         None, 401, "bad_signature"),
        ("a payload with SQL, signed by another key",
         multipart([("payload", p.payload(nonce="'; DROP TABLE checkins;--AAAAAAAA"), "application/json"),
                    ("signature", b"A" * 86, "text/plain")])[0], None, 400, "malformed_request"),
    ]
    for what, body, case_type, status, code in cases:
        if case_type is None:
            case_type = "multipart/form-data; boundary=" + body[2:body.index(b"\r\n")].decode()
        expect(env, what, post_checkin(env, body, case_type), status, code)
    eq(counts(env), before, "no row left by any of them")


def status_of(answer):
    """The status code of a raw HTTP answer, or None when the server answered nothing."""
    if not answer:
        return None
    return int(answer.split(b" ", 2)[1])


@test
def lying_content_lengths_and_2_gib_are_refused_without_reading_the_body(env):
    p = env.phone
    before = counts(env)
    auth = f"Authorization: Bearer {p.token}\r\n"
    body, ctype = multipart(checkin_parts(p, selfie=jpeg()))
    head = f"POST /v1/checkins HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: {ctype}\r\nConnection: close\r\n"
    # 2 GiB declared, nothing sent: 413 at once, on the check-in route and on a JSON route.
    for path, extra in (("/v1/checkins", f"Content-Type: {ctype}\r\n"), ("/v1/units", "Content-Type: application/json\r\n")):
        started = time.time()
        answer = raw_exchange(env, (f"POST {path} HTTP/1.1\r\nHost: x\r\n{auth}{extra}"
                                    f"Content-Length: {2 ** 31}\r\n\r\n").encode())
        eq(status_of(answer), 413, f"2 GiB on {path}: {answer[:200]!r}")
        check(b'"payload_too_large"' in answer, f"the error body: {answer[-200:]!r}")
        check(time.time() - started < 5, "answered without waiting for the body")
    # A length beyond 64 bits, and one that is not a number.
    for length in ("99999999999999999999999", "-1", "12abc"):
        answer = raw_exchange(env, (head + f"Content-Length: {length}\r\n\r\n").encode() + body, shut_write=True)
        check(status_of(answer) in (400, 413), f"Content-Length {length}: {answer[:200]!r}")
    # Declared shorter than sent: the body read is cut, so the multipart is truncated.
    answer = raw_exchange(env, (head + f"Content-Length: {len(body) // 2}\r\n\r\n").encode() + body, shut_write=True)
    eq(status_of(answer), 400, f"shorter: {answer[:300]!r}")
    check(b'"malformed_request"' in answer, f"the error body: {answer!r}")
    # Declared longer than sent, then the client stops sending: no check-in, and nothing to answer (the
    # connection is closed when the end is seen, or at ATTENDANCE_CONNECTION_TIMEOUT_S; we wait 3 s).
    answer = raw_exchange(env, (head + f"Content-Length: {len(body) + 1000}\r\n\r\n").encode() + body, shut_write=True,
                          timeout=3)
    check(status_of(answer) in (None, 400), f"longer: {answer[:300]!r}")
    eq(counts(env), before, "no row left by any of them")
    eq(env.svc.request("GET", "/healthz").status, 200, "the service is still up")


@test
def sql_and_html_in_every_text_field_are_stored_and_read_back_verbatim(env):
    a, svc = env.agency, env.svc
    admin = a.admin
    evil = lambda n: f"{EVIL} #{n}"  # noqa: E731 (names must be unique where they are)

    def made(method, path, body, token, what, status=201):
        r = svc.request(method, path, body, token=token)
        eq(r.status, status, f"{what}: {r}")
        eq(r.headers.get("content-type"), "application/json", f"{what}: JSON, never HTML")
        eq(r.headers.get("x-content-type-options"), "nosniff", f"{what}: nosniff")
        return r.json()

    unit = made("POST", "/v1/units", unit_body(name=evil(1), parent_id=a.top["id"]), admin, "unit")
    eq(made("GET", f"/v1/units/{unit['id']}", None, admin, "unit read", 200)["name"], evil(1), "unit name")
    office = made("POST", "/v1/offices", {"unit_id": unit["id"], "name": evil(2), "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 50}}, admin, "office")
    eq(made("GET", f"/v1/offices/{office['id']}", None, admin, "office read", 200)["name"], evil(2), "office name")
    nip = "19" + "".join(secrets.choice("0123456789") for _ in range(16))
    emp = made("POST", "/v1/employees", {"nip": nip, "name": evil(3), "unit_id": unit["id"],
                                         "password": "a-long-enough-password"}, admin, "employee")
    eq(made("GET", f"/v1/employees/{emp['id']}", None, admin, "employee read", 200)["name"], evil(3), "employee name")
    policy = made("POST", "/v1/policies", {"name": evil(4), "starts_on": "2023-09-01", "ends_on": "2023-09-30",
                                           "applies_to": ["administrative"], "unit_id": unit["id"],
                                           "max_wfh_percent": 50}, admin, "policy")
    eq(made("GET", f"/v1/policies/{policy['id']}", None, admin, "policy read", 200)["name"], evil(4), "policy name")
    holiday = made("POST", "/v1/holidays", {"date": "2023-09-28", "name": evil(5), "agency_id": a.top["id"]}, admin,
                   "holiday")
    holidays = made("GET", f"/v1/holidays?year=2023&agency_id={a.top['id']}", None, admin, "holidays", 200)["items"]
    eq([h["name"] for h in holidays if h["id"] == holiday["id"]], [evil(5)], "holiday name")

    employee = login(svc, nip, "a-long-enough-password")
    import base64
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    made("POST", "/v1/devices", {"public_key": key, "label": EVIL_SHORT}, employee, "device")
    devices = made("GET", "/v1/devices", None, employee, "devices", 200)["items"]
    eq([d["label"] for d in devices], [EVIL_SHORT], "device label")
    home = made("POST", "/v1/homes", {"lat": -6.2, "lon": 106.8, "address": evil(7)}, employee, "home")
    homes = made("GET", "/v1/homes", None, employee, "homes", 200)["items"]
    eq([h["address"] for h in homes if h["id"] == home["home_id"]], [evil(7)], "home address")

    reviewer = env.tokens["reviewer"]
    v = made("GET", f"/v1/violations/{env.violation_id}", None, reviewer, "violation", 200)
    made("POST", f"/v1/violations/{env.violation_id}/decision", {
        "decision": "dismissed", "sanction": None, "note": evil(8), "version": v["version"]}, reviewer, "decision", 200)
    v = made("GET", f"/v1/violations/{env.violation_id}", None, reviewer, "violation read", 200)
    eq([d["note"] for d in v["decisions"]], [evil(8)], "decision note")
    # The statements took the text as data: every table is still there, and the audit log has it verbatim.
    eq(len(counts(env)), len(TABLES), "every table is still there")
    audited = env.db.sql("SELECT entity FROM audit_log WHERE starts_with(coalesce(after->>'name', after->>'address'), :'t') "
                         "ORDER BY entity", f"t={EVIL}")
    eq([e for (e,) in audited], ["employee", "holiday", "home", "office", "policy", "unit"],
       "the audit log holds the texts as sent")
