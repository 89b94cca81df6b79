"""
The reference phone client (attendance-client) and the load generator
(attendance-loadgen), run as programs against the real service: state files
and their modes, what is signed and stored, exit codes, the retry loop behind
a proxy that loses an answer, and a short load run whose report adds up.
"""
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time

import harness
from harness import Agency, admin_env, check, eq, jpeg, test

CLIENT_DIR = os.path.join(harness.REPO, "build", "attendance-svc", "client")
CLIENT = harness.CLIENT
LOADGEN = os.environ.get("ATTENDANCE_LOADGEN", os.path.join(CLIENT_DIR, "attendance-loadgen"))
BALAI_KOTA = (-6.1818, 106.8283)
FAR = (BALAI_KOTA[0] + 500 / 111195.0, BALAI_KOTA[1])  # about 500 m north: outside the 100 m circle
PASSWORD = "employee-password-for-tests"  # each employee's own, changed to from GIVEN_PASSWORD
GIVEN_PASSWORD = "given-by-the-admin"
PAYLOAD_FIELDS = ["device_id", "type", "mode", "captured_at", "lat", "lon", "accuracy_m", "mock_location", "nonce",
                  "selfie_sha256"]


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    env.unit = a.unit(a.prefix + "-FLEX", "administrative", work_hours={})  # no work days: no lateness
    r = env.svc.request("POST", "/v1/offices", {"unit_id": env.unit["id"], "name": "Balai Kota", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    env.office_id = r.json()["id"]
    env.url = f"http://127.0.0.1:{env.svc.port}"
    env.tmp = tempfile.mkdtemp(prefix="test-client-")  # the clients' state directories
    return env


def teardown(env):
    shutil.rmtree(env.tmp, ignore_errors=True)
    env.close()


def program_env(**extra):
    """The environment of a client program: none of the service's settings, sanitizers reporting."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDANCE_")}
    e.update(ASAN_OPTIONS="abort_on_error=0:detect_leaks=1", UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    e.update(extra)
    return e


def run(program, args, env=None, timeout=120):
    out = subprocess.run([program] + args, capture_output=True, text=True, timeout=timeout, env=env or program_env())
    for mark in harness.SANITIZER_MARKS:
        check(mark not in out.stderr, f"sanitizer report from {os.path.basename(program)}:\n{out.stderr[-4000:]}")
    return out


class Employee:
    """An employee made through the API, with a state directory of its own for the client."""

    def __init__(self, env):
        self.env = env
        self.nip = "19" + "".join(secrets.choice("0123456789") for _ in range(16))
        r = env.svc.request("POST", "/v1/employees", {"nip": self.nip, "name": "Pegawai Klien",
                                                      "unit_id": env.unit["id"], "password": GIVEN_PASSWORD},
                            token=env.agency.admin)
        check(r.status == 201, f"employee: {r}")
        self.id = r.json()["id"]
        # The password the admin gave must be changed first: with the client, in a state directory of its own.
        out = run(CLIENT, ["--url", env.url, "--state", tempfile.mkdtemp(dir=env.tmp), "password", self.nip,
                           GIVEN_PASSWORD, PASSWORD])
        check(out.returncode == 0, f"password: {out.returncode} {out.stdout} {out.stderr}")
        self.state = os.path.join(tempfile.mkdtemp(dir=env.tmp), "state")  # made by the client

    def client(self, *args, url=None, **kw):
        return run(CLIENT, ["--url", url or self.env.url, "--state", self.state] + list(args), **kw)

    def enrolled(self):
        for args in (["login", self.nip, PASSWORD], ["enrol", "--label", "test phone"]):
            out = self.client(*args)
            check(out.returncode == 0, f"{args[0]}: {out.returncode} {out.stdout} {out.stderr}")
        return self

    def checkin(self, *extra, at=BALAI_KOTA, url=None, mode="WFO"):
        return self.client("checkin", "--type", "in", "--mode", mode, "--lat", str(at[0]), "--lon", str(at[1]),
                           "--accuracy", "10", *extra, url=url)

    def file(self, name):
        return os.path.join(self.state, name)

    def checkin_count(self):
        return int(self.env.db.sql("SELECT count(*) FROM checkins WHERE employee_id = :'e'", f"e={self.id}")[0][0])


def accepted_id(out):
    m = re.search(r"check-in accepted \(id (\d+)", out.stdout)
    check(out.returncode == 0 and m, f"not accepted: {out.returncode} {out.stdout!r} {out.stderr!r}")
    return m.group(1)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Proxy:
    """
    A TCP proxy on loopback in front of the service that counts connections.
    The first `drop` connections lose their answer: the request reaches the
    service, and once the service's answer starts to come back (the check-in is
    committed by then) both sides are closed without passing it on.
    """

    def __init__(self, port, drop=0):
        self.upstream, self.drop = port, drop
        self.connections = self.dropped = 0
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                drop = self.connections <= self.drop
            threading.Thread(target=self.serve, args=(conn, drop), daemon=True).start()

    def serve(self, conn, drop):
        with conn, socket.create_connection(("127.0.0.1", self.upstream)) as up:
            threading.Thread(target=pump, args=(conn, up), daemon=True).start()
            if drop:
                if up.recv(65536):
                    with self.lock:
                        self.dropped += 1
                # shutdown, not only close: the pump thread still holds conn in recv().
                conn.shutdown(socket.SHUT_RDWR)
            else:
                pump(up, conn)

    def close(self):
        self.listener.close()


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


# ---- attendance-client ----

@test
def bad_usage_exits_2_with_the_usage(env):
    e = Employee(env)
    cases = [
        [],
        ["fly"],
        ["login", e.nip],
        ["checkin", "--type", "in", "--lat", "1", "--lon", "2", "--accuracy", "3"],  # no --mode
        ["checkin", "--type", "in", "--mode", "WFO", "--lat", "north", "--lon", "2", "--accuracy", "3"],
        ["checkin", "--type", "in", "--mode", "WFO", "--lat", "nan", "--lon", "2", "--accuracy", "3"],
        ["checkin", "--type", "sideways", "--mode", "WFO", "--lat", "1", "--lon", "2", "--accuracy", "3"],
        ["checkin", "--type", "in", "--mode", "WFO", "--lat", "1", "--lon", "2", "--accuracy", "3",
         "--captured-at", "yesterday"],
        ["checkin", "--type", "in", "--mode", "WFO", "--lat", "1", "--lon", "2", "--accuracy", "3",
         "--selfie", "/nonexistent/selfie.jpg"],
        ["enrol", "--lat", "1"],
        ["--bogus", "enrol"],
        ["leave", "--kind", "izin", "--from", "2026-12-01", "--to", "2026-12-01"],  # no --reason
        ["explain", "12"],
        ["explain", "twelve", "ban bocor"],
    ]
    for args in cases:
        out = e.client(*args)
        eq(out.returncode, 2, f"exit of {args}: {out.stderr}")
        check("attendance-client:" in out.stderr, f"says why for {args}: {out.stderr!r}")
    out = run(CLIENT, ["--help"])
    eq(out.returncode, 0, "--help")
    check(out.stdout.startswith("usage: attendance-client"), f"usage on stdout: {out.stdout!r}")


@test
def a_password_the_admin_gave_is_changed_with_the_client(env):
    nip = "19" + "".join(secrets.choice("0123456789") for _ in range(16))
    r = env.svc.request("POST", "/v1/employees", {"nip": nip, "name": "Pegawai Baru", "unit_id": env.unit["id"],
                                                  "password": GIVEN_PASSWORD}, token=env.agency.admin)
    eq(r.status, 201, f"employee: {r}")
    state = os.path.join(tempfile.mkdtemp(dir=env.tmp), "state")
    out = run(CLIENT, ["--url", env.url, "--state", state, "login", nip, GIVEN_PASSWORD])
    eq(out.returncode, 0, f"login: {out.stderr}")
    check("attendance-client password" in out.stderr, f"tells how to change it: {out.stderr!r}")
    out = run(CLIENT, ["--url", env.url, "--state", state, "enrol"])
    check(out.returncode == 1 and "password_change_required" in out.stderr, f"enrol refused: {out.stderr!r}")
    out = run(CLIENT, ["--url", env.url, "--state", state, "password", nip, GIVEN_PASSWORD, "short"])
    check(out.returncode == 1 and "weak_password" in out.stderr, f"a weak password refused: {out.stderr!r}")
    out = run(CLIENT, ["--url", env.url, "--state", state, "password", nip, GIVEN_PASSWORD, "my own password"])
    eq(out.returncode, 0, f"password: {out.stderr}")
    check("password changed" in out.stdout, f"says so: {out.stdout!r}")
    out = run(CLIENT, ["--url", env.url, "--state", state, "enrol"])
    eq(out.returncode, 0, f"enrol with the token of the new password: {out.stderr}")
    out = run(CLIENT, ["--url", env.url, "--state", state, "login", nip, GIVEN_PASSWORD])
    eq(out.returncode, 1, "the given password is gone")


@test
def login_keeps_the_token_in_a_private_file(env):
    e = Employee(env)
    out = run(CLIENT, ["--url", env.url, "login", e.nip, PASSWORD], env=program_env(ATTENDANCE_CLIENT_STATE=e.state))
    eq(out.returncode, 0, f"login: {out.stderr}")
    check("logged in" in out.stdout, f"says so: {out.stdout!r}")
    eq(mode_of(e.state), 0o700, "state directory mode")
    eq(mode_of(e.file("token")), 0o600, "token file mode")
    with open(e.file("token")) as f:
        token = f.read()
    eq(env.svc.request("GET", f"/v1/employees/{e.id}", token=token).status, 200, "the stored token works")

    out = e.client("login", e.nip, "not-the-password")
    eq(out.returncode, 1, "a wrong password exits 1")
    check("invalid_credentials" in out.stderr, f"names the error code: {out.stderr!r}")
    with open(e.file("token")) as f:
        eq(f.read(), token, "the token of the good login is kept")


@test
def enrol_keeps_the_key_private_and_binds_the_device(env):
    e = Employee(env)
    check(e.client("enrol").returncode == 1, "enrol before login is refused")
    check(not os.path.exists(e.file("device.key")), "and leaves no key")
    eq(e.client("login", e.nip, PASSWORD).returncode, 0, "login")
    out = e.client("enrol", "--label", "Budi's phone")
    eq(out.returncode, 0, f"enrol: {out.stderr}")
    eq(mode_of(e.file("device.key")), 0o600, "key file mode")
    with open(e.file("device.key"), "rb") as f:
        secret = f.read()
    eq(len(secret), 64, "libsodium's secret key: seed and public key")
    with open(e.file("device.id")) as f:
        device_id = f.read().strip()
    check(f"device {device_id} enrolled" in out.stdout, f"says so: {out.stdout!r}")
    rows = env.db.sql("SELECT employee_id, encode(public_key, 'hex'), label, active FROM devices WHERE id = :'d'",
                      f"d={device_id}")
    eq(rows, [[e.id, secret[32:].hex(), "Budi's phone", "t"]], "the device row")

    out = e.client("enrol")
    eq(out.returncode, 1, "a second enrolment is refused")
    check("already enrolled" in out.stderr, f"says why: {out.stderr!r}")
    with open(e.file("device.key"), "rb") as f:
        eq(f.read(), secret, "the key is kept")


@test
def an_interrupted_enrolment_is_finished_and_a_refused_one_leaves_no_key(env):
    e = Employee(env).enrolled()
    with open(e.file("device.id")) as f:
        device_id = f.read().strip()
    # As if the answer to the enrolment had been lost: the key is there, the id is not.
    os.unlink(e.file("device.id"))
    out = e.client("enrol")
    eq(out.returncode, 0, f"enrol again: {out.stderr}")
    check("enrolled earlier with this key" in out.stdout, f"says so: {out.stdout!r}")
    with open(e.file("device.id")) as f:
        eq(f.read().strip(), device_id, "the same device")
    eq(env.db.sql("SELECT count(*) FROM devices WHERE employee_id = :'e'", f"e={e.id}"), [["1"]], "one device")

    # A second phone of the same employee: the service refuses it, and its key goes.
    other = os.path.join(os.path.dirname(e.state), "second-phone")
    for args, want in ((["login", e.nip, PASSWORD], 0), (["enrol"], 1)):
        out = run(CLIENT, ["--url", env.url, "--state", other] + args)
        eq(out.returncode, want, f"{args[0]}: {out.stderr}")
    check("device_already_bound" in out.stderr, f"names the code: {out.stderr!r}")
    check(not os.path.exists(os.path.join(other, "device.key")), "no key left behind")


@test
def a_check_in_in_the_office_is_accepted_and_stored_as_signed(env):
    e = Employee(env).enrolled()
    out = e.checkin()
    checkin_id = accepted_id(out)
    check(f"inside office:{env.office_id}, 0 m; violations: none" in out.stdout, f"readable: {out.stdout!r}")
    rows = env.db.sql("SELECT employee_id, type, mode, inside, convert_from(payload, 'UTF8') FROM checkins"
                      " WHERE id = :'id'", f"id={checkin_id}")
    eq([r[:4] for r in rows], [[e.id, "in", "WFO", "t"]], "the row")
    payload = json.loads(rows[0][4], object_pairs_hook=lambda pairs: pairs)
    eq([k for k, _ in payload], PAYLOAD_FIELDS, "the payload's fields, in the contract's order")
    fields = dict(payload)
    with open(e.file("device.id")) as f:
        eq(fields["device_id"], f.read().strip(), "device_id")
    eq((fields["lat"], fields["lon"], fields["accuracy_m"]), (BALAI_KOTA[0], BALAI_KOTA[1], 10.0), "the point as typed")
    eq((fields["mock_location"], fields["selfie_sha256"]), (False, None), "no mock, no selfie")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", fields["captured_at"]),
          f"captured_at in UTC with milliseconds: {fields['captured_at']}")
    eq(len(base64.urlsafe_b64decode(fields["nonce"] + "==")), 16, "a 16-byte nonce")
    check("=" not in fields["nonce"], "base64url without padding")


@test
def a_selfie_is_sent_with_its_hash_and_the_options_are_signed(env):
    e = Employee(env).enrolled()
    path = os.path.join(os.path.dirname(e.state), "selfie.jpg")
    photo = jpeg(50_000)
    with open(path, "wb") as f:
        f.write(photo)
    captured_at = harness.rfc3339(time.time() - 60).replace("Z", "+00:00")
    out = e.checkin("--selfie", path, "--mock", "--captured-at", captured_at, at=FAR)
    checkin_id = accepted_id(out)
    check("selfie attached" in out.stdout, f"says so: {out.stdout!r}")
    check(re.search(r"outside office:\d+, 4\d\d(\.\d+)? m; selfie attached; violations: .*OUTSIDE_GEOFENCE.*"
                    r"MOCK_LOCATION", out.stdout), f"the verdict: {out.stdout!r}")
    row = env.db.sql("SELECT selfie_sha256, mock_location, convert_from(payload, 'UTF8') FROM checkins"
                     " WHERE id = :'id'", f"id={checkin_id}")[0]
    eq(row[:2], [hashlib.sha256(photo).hexdigest(), "t"], "selfie hash and mock flag stored")
    eq(json.loads(row[2])["captured_at"], captured_at, "--captured-at is signed as given")


@test
def json_prints_the_raw_answer(env):
    e = Employee(env).enrolled()
    out = e.client("--json", "checkin", "--type", "out", "--mode", "WFO", "--lat", str(BALAI_KOTA[0]), "--lon",
                   str(BALAI_KOTA[1]), "--accuracy", "10")
    eq(out.returncode, 0, f"exit: {out.stderr}")
    body = json.loads(out.stdout)
    eq((body["status"], body["geofence"]["inside"]), ("accepted", True), "the answer")
    eq(env.db.sql("SELECT type FROM checkins WHERE id = :'id'", f"id={body['checkin_id']}"), [["out"]], "stored")


@test
def a_rejected_check_in_exits_1_with_the_code_and_is_not_retried(env):
    e = Employee(env).enrolled()
    proxy = Proxy(env.svc.port)
    try:
        out = e.checkin(at=(91, BALAI_KOTA[1]), url=proxy.url)
    finally:
        proxy.close()
    eq(out.returncode, 1, f"exit: {out.stdout} {out.stderr}")
    check("check-in rejected: HTTP 422 invalid_location" in out.stderr, f"the code: {out.stderr!r}")
    eq(proxy.connections, 1, "a 4xx is not retried")
    eq(e.checkin_count(), 0, "nothing stored")


@test
def a_lost_answer_is_retried_with_the_same_bytes_and_makes_one_check_in(env):
    e = Employee(env).enrolled()
    proxy = Proxy(env.svc.port, drop=1)
    try:
        out = e.checkin(url=proxy.url)
    finally:
        proxy.close()
    accepted_id(out)
    eq((proxy.connections, proxy.dropped), (2, 1), "the first answer was lost, the retry went through")
    check("try 1 of 5: no answer" in out.stderr, f"tells of the retry: {out.stderr!r}")
    check("the service had it already" in out.stdout, f"the retry was answered as a replay (200): {out.stdout!r}")
    eq(e.checkin_count(), 1, "exactly one check-in")


@test
def no_answer_at_all_gives_up_after_five_tries(env):
    e = Employee(env).enrolled()
    with socket.create_server(("127.0.0.1", 0)) as s:
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    out = e.checkin(url=closed)
    eq(out.returncode, 1, "exit")
    eq(len(re.findall(r"^try \d of 5: no answer", out.stderr, re.M)), 4, f"four retries: {out.stderr!r}")
    check("check-in failed: no answer" in out.stderr, f"gives up: {out.stderr!r}")
    eq(e.checkin_count(), 0, "nothing stored")


@test
def home_registers_a_pending_home(env):
    e = Employee(env).enrolled()
    out = e.client("home", "--lat", "-6.2", "--lon", "106.8", "--address", "Jl. Kenari 5, Jakarta")
    eq(out.returncode, 0, f"exit: {out.stderr}")
    m = re.search(r"home (\d+) registered \(pending\)", out.stdout)
    check(m, f"says so: {out.stdout!r}")
    rows = env.db.sql("SELECT employee_id, lat, lon, address, status FROM homes WHERE id = :'id'", f"id={m.group(1)}")
    eq(rows, [[e.id, "-6.2", "106.8", "Jl. Kenari 5, Jakarta", "pending"]], "the home row")


@test
def after_enrolment_the_device_is_the_credential(env):
    e = Employee(env).enrolled()
    os.unlink(e.file("token"))  # no password login's token left: the morning's phone
    out = e.checkin()
    accepted_id(out)
    out = e.client("home", "--lat", "-6.2", "--lon", "106.8", "--address", "Jl. Melati 7, Jakarta")
    eq(out.returncode, 0, f"home with a device sign-in: {out.stderr}")
    with open(e.file("token")) as f:
        token = f.read()
    r = env.svc.request("GET", "/v1/devices", token=token)
    eq(r.status, 200, f"the kept token is a device sign-in's, and works: {r}")
    eq(env.db.sql("SELECT count(*) FROM device_sign_ins s JOIN devices d ON d.id = s.device_id"
                  " WHERE d.employee_id = :'e'", f"e={e.id}"), [["1"]], "one sign-in, recorded")


# ---- attendance-loadgen ----

def loadgen(env, *args):
    out = run(LOADGEN, ["--url", env.url, "--admin", f"{harness.ADMIN_USER}:{harness.ADMIN_PASSWORD}"] + list(args),
              timeout=600)
    check(out.returncode == 0, f"loadgen exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1]), out


def unit_counts(env, code):
    return env.db.sql(
        "SELECT count(*), count(c.selfie_sha256), count(*) FILTER (WHERE c.mode = 'WFH'),"
        " count(*) FILTER (WHERE NOT c.inside) FROM checkins c JOIN units u ON u.id = c.unit_id"
        " WHERE u.code = :'code'", f"code={code}")[0]


def unit_violations(env, code):
    return dict(env.db.sql("SELECT v.code, count(*) FROM violations v JOIN checkins c ON c.id = v.checkin_id"
                           " JOIN units u ON u.id = c.unit_id WHERE u.code = :'code' GROUP BY v.code",
                           f"code={code}"))


@test
def the_load_generator_reports_a_closed_loop_run_that_adds_up(env):
    code = "LG-" + secrets.token_hex(3).upper()
    line, out = loadgen(env, "--employees", "20", "--requests", "200", "--connections", "4", "--unit-code", code,
                        "--service-pid", str(env.svc.proc.pid))
    eq(list(line), ["checkins", "seconds", "per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms", "status", "rss_mb"],
       "the JSON line's keys")
    eq(line["checkins"], 200, "check-ins")
    eq(sum(line["status"].values()), line["checkins"], "statuses add up")
    eq(line["status"], {"201": 200}, "every check-in accepted")
    check(0 < line["p50_ms"] <= line["p90_ms"] <= line["p99_ms"] <= line["max_ms"], f"percentiles: {line}")
    check(line["seconds"] > 0 and abs(line["per_s"] - 200 / line["seconds"]) < 0.1 * line["per_s"], f"rate: {line}")
    check(line["rss_mb"] > 1, f"the service's peak RSS: {line}")
    check("logged 20 employees in" in out.stderr, f"tells how long the logins took: {out.stderr!r}")
    # The mix: 80% WFO inside, 10% WFH at home, 5% outside, 5% with a selfie.
    eq(unit_counts(env, code), ["200", "10", "20", "10"], "stored: all, with selfies, WFH, outside")
    violations = unit_violations(env, code)
    eq(violations.get("OUTSIDE_GEOFENCE"), "10", f"only the outside ones are outside: {violations}")
    # Its WFH employees are rostered WFH, so nothing else is flagged.
    eq(set(violations), {"OUTSIDE_GEOFENCE"}, f"no other violation: {violations}")
    kinds = [k for k in ("WFO in the office", "WFH at the approved home", "WFO outside the geofence",
                         "WFO with a 200 KB selfie") if re.search(r"p99 [0-9.]+ ms +\(" + k + r"\)", out.stdout)]
    eq(len(kinds), 4, f"latency by kind: {out.stdout}")


@test
def the_load_generator_keeps_an_open_loop_schedule(env):
    code = "LG-" + secrets.token_hex(3).upper()
    line, _ = loadgen(env, "--employees", "3", "--rate", "50", "--duration", "2", "--connections", "2",
                      "--unit-code", code)
    eq(line["checkins"], 100, "rate x duration")
    eq(line["status"], {"201": 100}, "every check-in accepted")
    check(1.9 <= line["seconds"] < 10, f"the schedule spans 2 s: {line}")
    eq(line["rss_mb"], None, "no --service-pid, no RSS")
    eq(unit_counts(env, code)[0], "100", "stored")


@test
def the_load_generator_seeds_only_and_refuses_other_hosts(env):
    code = "LG-" + secrets.token_hex(3).upper()
    line, _ = loadgen(env, "--employees", "3", "--seed-only", "--unit-code", code)
    eq((line["seeded"], line["unit_code"]), (3, code), "the seed line")
    eq(env.db.sql("SELECT count(*), count(d.id) FROM employees e JOIN units u ON u.id = e.unit_id"
                  " LEFT JOIN devices d ON d.employee_id = e.id WHERE u.code = :'c'", f"c={code}"),
       [["3", "3"]], "employees with their devices")
    eq(unit_counts(env, code)[0], "0", "no check-in")
    admin = f"{harness.ADMIN_USER}:{harness.ADMIN_PASSWORD}"
    for args in (["--url", "http://example.invalid:8080", "--admin", admin, "--employees", "3"],
                 ["--url", env.url, "--admin", admin],
                 ["--url", env.url, "--admin", admin, "--employees", "3", "--duration", "1", "--requests", "5"],
                 ["--url", env.url, "--admin", "no-colon", "--employees", "3"]):
        out = run(LOADGEN, args)
        eq(out.returncode, 2, f"exit of {args}: {out.stderr}")


@test
def leave_with_its_letter_and_an_explanation_through_the_client(env):
    import datetime
    e = Employee(env)
    check(e.client("login", e.nip, PASSWORD).returncode == 0, "login")
    # The unit of these tests has no work days: a request there has nothing to excuse.
    out = e.client("leave", "--kind", "izin", "--from", str(datetime.date.today()), "--to",
                   str(datetime.date.today()), "--reason", "ke dokter")
    eq(out.returncode, 1, "refused")
    check("no_working_day" in out.stderr, out.stderr)
    env.db.sql("UPDATE employees SET unit_id = :'u' WHERE id = :'e'", f"u={env.agency.unit_a['id']}", f"e={e.id}")
    day = datetime.date.today() + datetime.timedelta(days=20)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    letter = os.path.join(env.tmp, "surat-tugas.pdf")
    with open(letter, "wb") as f:
        f.write(b"%PDF-1.4\n%%EOF\n")
    out = e.client("leave", "--kind", "dinas_luar", "--from", str(day), "--to", str(day), "--reason",
                   "rapat di Kemendagri", "--attach", letter)
    eq(out.returncode, 0, f"leave: {out.stdout} {out.stderr}")
    check("attached" in out.stdout, out.stdout)
    rows = env.db.sql("SELECT kind, status, attachment_type FROM leave_requests WHERE employee_id = :'e'",
                      f"e={e.id}")
    eq(rows, [["dinas_luar", "pending", "application/pdf"]], "the request and its letter")
    out = e.client("leave", "--kind", "cuti_tahunan", "--from", str(day), "--to", str(day), "--reason", "x")
    eq(out.returncode, 1, "overlapping its own request: refused")
    check("leave_overlap" in out.stderr, out.stderr)
    vid = env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code, evidence) VALUES"
                     " (:'e', :'u', current_date, 'ABSENT', '{}') RETURNING id", f"e={e.id}",
                     f"u={env.unit['id']}")[0][0]
    out = e.client("explain", str(vid), "ban motor bocor")
    eq(out.returncode, 0, f"explain: {out.stdout} {out.stderr}")
    eq(env.db.sql("SELECT text FROM violation_explanations WHERE violation_id = :'v'", f"v={vid}"),
       [["ban motor bocor"]], "the explanation stored")
