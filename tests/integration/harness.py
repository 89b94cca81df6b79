"""
The integration-test harness: the real attendance-svc binary against a real
PostgreSQL, spoken to over HTTP.

Each test is a plain function decorated with @test in a tests/integration/test_*.py
module; run.py runs them in order and prints TAP. A test gets what it needs from
here: a fresh database (Database), a running service on it (Service), and HTTP
helpers that return a Response with status, headers and body.
"""
import datetime
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import zoneinfo

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SVC = os.environ.get("ATTENDANCE_SVC", os.path.join(REPO, "build", "attendance-svc", "attendance-svc"))
SQL_DIR = os.environ.get("ATTENDANCE_SQL_DIR", os.path.join(REPO, "sql"))
CLIENT = os.environ.get("ATTENDANCE_CLIENT", os.path.join(REPO, "build", "attendance-svc", "client", "attendance-client"))
JWT_SECRET = "integration-test-secret-0123456789abcdef"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")

TESTS = []


def test(fn):
    """Registers fn as a test of its module, in definition order."""
    TESTS.append(fn)
    return fn


class Failure(AssertionError):
    pass


def check(cond, message="check failed"):
    if not cond:
        raise Failure(message)


def eq(got, want, what="value"):
    if got != want:
        raise Failure(f"{what}: got {got!r}, want {want!r}")


def maintenance_url():
    """The test cluster's owner's URL: tests/run sets it (and ATTENDANCE_TEST_APP_DATABASE_URL, its application
    role's); run by hand, var/pg-test is started."""
    url = os.environ.get("ATTENDANCE_TEST_DATABASE_URL")
    if not url:
        pg = os.path.join(REPO, "deploy", "pg")
        subprocess.run([pg, "start", "var/pg-test"], check=True, capture_output=True, timeout=120)
        url = subprocess.run([pg, "url", "var/pg-test"], check=True, capture_output=True, text=True).stdout.strip()
        os.environ["ATTENDANCE_TEST_DATABASE_URL"] = url
        os.environ["ATTENDANCE_TEST_APP_DATABASE_URL"] = subprocess.run(
            [pg, "app-url", "var/pg-test"], check=True, capture_output=True, text=True).stdout.strip()
    register_application_role(os.environ.get("ATTENDANCE_TEST_APP_DATABASE_URL"))
    return url


# The application role's URL of each cluster the tests use, by host and port (see app_url).
APPLICATION_ROLES = {}


def server_of(url):
    parsed = urllib.parse.urlsplit(url)
    return (parsed.hostname, parsed.port)


def register_application_role(url):
    if url:
        APPLICATION_ROLES[server_of(url)] = url


def app_url(db_url):
    """The URL of db_url's database as its cluster's application role (serve and nightly run as it: sql/0018),
    or db_url itself for a server without one."""
    role = APPLICATION_ROLES.get(server_of(db_url))
    return with_dbname(role, urllib.parse.urlsplit(db_url).path.lstrip("/")) if role else db_url


def psql(url, sql, *variables):
    """Runs sql with psql; returns stdout rows as lists of fields. variables: name=value for :'name'."""
    args = ["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", url]
    for v in variables:
        args += ["-v", v]
    out = subprocess.run(args, input=sql, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def with_dbname(url, dbname):
    base, _, _ = url.rpartition("/")
    return f"{base}/{dbname}"


class Database:
    """A fresh, empty database, dropped by drop()."""

    def __init__(self, admin_url=None):
        self.admin_url = admin_url or maintenance_url()
        self.name = "t_" + secrets.token_hex(6)
        psql(self.admin_url, f'CREATE DATABASE "{self.name}"')
        self.url = with_dbname(self.admin_url, self.name)

    def sql(self, query, *variables):
        return psql(self.url, query, *variables)

    def drop(self):
        # FORCE may not end an autovacuum worker on the database for a role without
        # pg_signal_backend (PostgreSQL 15); the worker is done within moments.
        for attempt in range(20):
            try:
                psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                return
            except RuntimeError as e:
                if "pg_signal_backend" not in str(e) or attempt == 19:
                    raise
                time.sleep(0.25)


class Cluster:
    """A PostgreSQL cluster of a test's own (deploy/pg, under var/ so that other clusters leave its port alone while
    it is down), which the test may stop, crash and start without disturbing the shared test cluster."""

    def __init__(self, name):
        self.dir = os.path.join(REPO, "var", f"pg-{name}-{os.getpid()}")
        self.start()
        self.url = self.deploy_pg("url").strip()  # the cluster's "attendance" database; its owner may create more
        register_application_role(self.deploy_pg("app-url").strip())

    def deploy_pg(self, command, *args):
        out = subprocess.run([os.path.join(REPO, "deploy", "pg"), command, self.dir] + list(args),
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise Failure(f"deploy/pg {command} {' '.join(args)} failed: {out.stderr.strip()[-2000:]}")
        return out.stdout

    def start(self):
        self.deploy_pg("start")

    def stop(self, mode="fast"):
        """Stops the server: "fast" (clients disconnected, a clean shutdown) or "immediate" (a crash)."""
        self.deploy_pg("stop", mode)

    def destroy(self):
        self.deploy_pg("destroy")


def npm_ci(directory, module):
    """Installs directory's package-lock.json with npm ci unless node_modules/<module> is there already.
    Returns None, or why it could not in one line with npm's own error. Few and short retries: an
    unreachable registry says so within seconds instead of npm's minute of back-off."""
    if os.path.isdir(os.path.join(directory, "node_modules", module)):
        return None
    if not shutil.which("npm"):
        return "npm is not installed (deploy/install-deps --test installs it)"
    print(f"# npm ci in {os.path.relpath(directory, REPO)} ({module})", flush=True)
    try:
        out = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--fetch-retries=1",
                              "--fetch-retry-mintimeout=1000", "--fetch-retry-maxtimeout=3000",
                              "--fetch-timeout=60000"], cwd=directory, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "npm ci did not finish in 10 minutes"
    if out.returncode == 0:
        return None
    return "npm ci failed: " + npm_error(out.stderr)


def npm_error(stderr):
    """npm's error in one line: its code and its first line of explanation (npm 9 says "npm ERR!", later ones
    "npm error"), without the stack, the detail lines and the pointer to its log."""
    code, message = None, None
    for line in stderr.splitlines():
        m = re.match(r"npm (?:ERR!|error) ?(.*)$", line)
        if not m or not m.group(1).strip():
            continue
        text = m.group(1).strip()
        if text.startswith("code "):
            code = code or text[5:]
        elif not message and not re.match(r"(syscall|errno) |at |[a-z]+: |[{}]|A complete log", text):
            message = text
    if not message:
        lines = [line for line in stderr.splitlines() if line.strip()]
        message = lines[-1] if lines else "no error message"
    return f"{code}: {message}" if code else message


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(db_url, **extra):
    """The service's environment on db_url (the database's owner's URL): migrate connects as the owner, serve and
    nightly as the application role, as a deployment runs them (docs/security.md, "The database roles")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDANCE_")}
    env.update({
        "ATTENDANCE_DATABASE_URL": app_url(db_url),
        "ATTENDANCE_MIGRATE_DATABASE_URL": db_url,
        "ATTENDANCE_JWT_SECRET": JWT_SECRET,
        "ATTENDANCE_SQL_DIR": SQL_DIR,
        "ASAN_OPTIONS": "abort_on_error=0:detect_leaks=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        # Every test speaks from 127.0.0.1 as fast as it can: the rate limits are off
        # unless a test sets them (test_limits does).
        "ATTENDANCE_RATE_PER_ADDRESS": "0",
        "ATTENDANCE_CHECKIN_RATE_PER_DEVICE": "0",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_svc(args, env, timeout=60):
    """Runs attendance-svc with args to completion; returns (exit code, stderr lines)."""
    out = subprocess.run([SVC] + args, env=env, capture_output=True, text=True, timeout=timeout)
    check_sanitizers(out.stderr, " ".join(args))
    return out.returncode, out.stderr.splitlines()


def migrate_before(db, first_left_out):
    """Applies the migrations of sql/ named before first_left_out (e.g. "0016") to db: a database of that time."""
    import shutil
    old_sql = tempfile.mkdtemp(prefix=f"sql-before-{first_left_out}-")
    try:
        for name in sorted(os.listdir(SQL_DIR)):
            if name.endswith(".sql") and name < first_left_out:
                shutil.copy(os.path.join(SQL_DIR, name), old_sql)
        code, lines = run_svc(["migrate"], base_env(db.url, ATTENDANCE_SQL_DIR=old_sql))
    finally:
        shutil.rmtree(old_sql)
    if code != 0:
        raise Failure(f"migrate to before {first_left_out}: {lines[-3:]}")


def check_sanitizers(text, what):
    for mark in SANITIZER_MARKS:
        if mark in text:
            raise Failure(f"sanitizer report from attendance-svc {what}:\n{text[-4000:]}")


def log_records(lines):
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pass
    return records


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body)

    def error_code(self):
        return self.json()["error"]["code"]

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class HttpEndpoint:
    """JSON requests to a port on loopback: plain HTTP, or HTTPS checked with tls_context (a proxy)."""

    def __init__(self, port, tls_context=None):
        self.port = port
        self.tls_context = tls_context

    def connect(self, timeout=30):
        if self.tls_context:
            return http.client.HTTPSConnection("localhost", self.port, timeout=timeout, context=self.tls_context)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None, timeout=30):
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn = self.connect(timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()


class Service(HttpEndpoint):
    """attendance-svc serve on a free port, on db_url; migrated first unless migrate=False."""

    def __init__(self, db_url, migrate=True, **env):
        HttpEndpoint.__init__(self, free_port())
        self.selfie_dir = env.pop("ATTENDANCE_SELFIE_DIR", None) or tempfile.mkdtemp(prefix="selfies-")
        self.env = base_env(db_url, ATTENDANCE_LISTEN=f"127.0.0.1:{self.port}",
                            ATTENDANCE_SELFIE_DIR=self.selfie_dir, **env)
        if migrate:
            code, lines = run_svc(["migrate"], self.env)
            if code != 0:
                raise RuntimeError("migrate failed:\n" + "\n".join(lines[-20:]))
        self.log = tempfile.NamedTemporaryFile(prefix="svc-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([SVC, "serve"], env=self.env, stdout=subprocess.DEVNULL, stderr=self.log)
        self.wait_ready()

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"attendance-svc exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("attendance-svc did not answer /healthz in time")

    def log_text(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def cpu_seconds(self):
        """The CPU time the process has used (user and system), from /proc: what a request costs the service,
        whatever else loads the machine (wall-clock timings are not, under load)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_per_request(self, requests):
        """The service's CPU seconds per call of requests (a list of functions), called in turn."""
        before = self.cpu_seconds()
        for request in requests:
            request()
        return (self.cpu_seconds() - before) / len(requests)

    def log_records(self):
        return log_records(self.log_text().splitlines())


    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stops the service and returns its exit code; a sanitizer report fails the test."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Failure("attendance-svc did not stop within %ss of %s" % (timeout, sig))
        self.log.close()
        check_sanitizers(self.log_text(), "serve")
        return self.proc.returncode

    def close(self):
        code = self.stop()
        text = self.log_text() if code != 0 else ""
        os.unlink(self.log.name)
        if code != 0:
            raise Failure(f"attendance-svc exited with {code} on SIGTERM; its log ends:\n{text[-3000:]}")


class Env:
    """One database and one service for a module's tests that can share them."""

    def __init__(self, **env):
        self.db = Database()
        self.svc = Service(self.db.url, **env)

    def close(self):
        try:
            self.svc.close()
        finally:
            self.db.drop()


# ---- accounts and tokens ----

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-password-for-tests"


def admin_env(**env):
    """An Env whose service creates the test admin at start."""
    return Env(ATTENDANCE_BOOTSTRAP_ADMIN=f"{ADMIN_USER}:{ADMIN_PASSWORD}", **env)


def login(svc, username, password):
    """A token for username. A password set by an admin or an import must be changed before its token does
    anything (test_passwords tests that); for the tests about everything else, that requirement is lifted in the
    service's database and the login made again."""
    r = svc.request("POST", "/v1/auth/login", {"username": username, "password": password})
    if r.status != 200:
        raise Failure(f"login of {username} failed: {r}")
    if r.json().get("password_change_required"):
        lift_password_change(svc, username)
        return login(svc, username, password)
    return r.json()["access_token"]


def lift_password_change(svc, username):
    """Lets an account keep the password an admin or an import gave it (tests only: no endpoint does this)."""
    url = getattr(svc, "env", {}).get("ATTENDANCE_MIGRATE_DATABASE_URL") or svc.env["ATTENDANCE_DATABASE_URL"]
    psql(url, "UPDATE accounts SET password_change_required = false WHERE username = :'u'", f"u={username}")


def b64url(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims, secret=JWT_SECRET, alg="HS256", header=None):
    """A JWT signed the way the test wants (for the bad-token cases)."""
    import hashlib
    import hmac
    head = header or {"alg": alg, "typ": "JWT"}
    signing_input = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    if alg == "none":
        return signing_input + "."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    sig = hmac.new(secret.encode() if isinstance(secret, str) else secret, signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(sig)


def good_claims(sub, role, **override):
    now = int(time.time())
    claims = {"iss": "attendance-svc", "aud": "attendance-api", "sub": str(sub), "role": role, "iat": now,
              "exp": now + 600, "jti": secrets.token_hex(8)}
    claims.update(override)
    return claims


class Agency:
    """A small agency made through the API: an agency unit, two units under it, an admin token."""

    def __init__(self, svc, prefix=None, **unit_settings):
        self.svc = svc
        self.prefix = prefix or secrets.token_hex(3).upper()
        self.admin = login(svc, ADMIN_USER, ADMIN_PASSWORD)
        self.top = self.unit(f"{self.prefix}-TOP", "administrative", **unit_settings)
        self.unit_a = self.unit(f"{self.prefix}-A", "administrative", parent_id=self.top["id"], **unit_settings)
        self.unit_b = self.unit(f"{self.prefix}-B", "direct_service", parent_id=self.top["id"], **unit_settings)

    def unit(self, code, category, timezone="Asia/Jakarta", **extra):
        body = {"code": code, "name": f"Unit {code}", "category": category, "timezone": timezone}
        body.update(extra)
        r = self.svc.request("POST", "/v1/units", body, token=self.admin)
        if r.status != 201:
            raise Failure(f"creating unit {code}: {r}")
        return r.json()

    def office(self, unit_id, lat=-6.1818, lon=106.8283, radius_m=200):
        """An office of the unit, a circle around the point Phone.payload sends by default."""
        r = self.svc.request("POST", "/v1/offices", {"unit_id": unit_id, "name": "Kantor", "geofence": {
            "type": "circle", "lat": lat, "lon": lon, "radius_m": radius_m}}, token=self.admin)
        if r.status != 201:
            raise Failure(f"creating an office of unit {unit_id}: {r}")
        return r.json()


# ---- phones: employees with enrolled devices, signing check-ins ----

def rfc3339(ts):
    """Unix time (float) as RFC 3339 UTC with milliseconds."""
    whole = int(ts)
    ms = int(round((ts - whole) * 1000))
    if ms == 1000:
        whole, ms = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{ms:03d}Z"


# A unit's sync_tolerance_s that believes a phone's captured_at for ten years (the most a unit may set): for the
# tests of a known day long past, sent through the API today (CONTRACT.md, "The record is judged on times the
# service can trust"; test_dishonest shows the default).
BELIEVE_PHONES = {"sync_tolerance_s": 315360000}

# ---- units working around the moment a test runs ----

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Zones whose offsets are at most three hours apart, so that some local hour is always in a window of three.
ZONES = ("Pacific/Auckland", "Australia/Sydney", "Asia/Tokyo", "Asia/Jakarta", "Asia/Kolkata", "Asia/Dubai",
         "Europe/Moscow", "Europe/London", "America/Sao_Paulo", "America/New_York", "America/Denver",
         "America/Los_Angeles", "Pacific/Honolulu")


def zone_where(hour_from, hour_to):
    """A zone whose local hour is now in [hour_from, hour_to), and its local now."""
    for zone in ZONES:
        now = datetime.datetime.now(zoneinfo.ZoneInfo(zone))
        if hour_from <= now.hour < hour_to:
            return zone, now
    raise Failure(f"no zone has a local hour in [{hour_from}, {hour_to})")


def hhmm(t):
    return t.strftime("%H:%M")


def make_employee(db, unit_id, nip=None, name="Pegawai"):
    """An employee and its login (password harness.ADMIN_PASSWORD), made with SQL; returns (id, nip)."""
    nip = nip or "19" + "".join(secrets.choice("0123456789") for _ in range(16))
    emp = db.sql("INSERT INTO employees (nip, name, unit_id) VALUES (:'nip', :'name', :'unit') RETURNING id",
                 f"nip={nip}", f"name={name}", f"unit={unit_id}")[0][0]
    db.sql("INSERT INTO accounts (username, password_hash, role, unit_id, employee_id) "
           "SELECT :'nip', password_hash, 'employee', :'unit', :'emp' FROM accounts WHERE username = 'admin'",
           f"nip={nip}", f"unit={unit_id}", f"emp={emp}")
    return emp, nip


def make_staff(env, role, unit_id, employee_id=None, username=None):
    """A staff login made with SQL (password harness.ADMIN_PASSWORD), for tests not about the staff endpoints;
    returns its token."""
    username = username or f"{role}-{secrets.token_hex(4)}"
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id, employee_id) "
               "SELECT :'u', password_hash, :'r', :'unit', nullif(:'emp', '')::bigint "
               "FROM accounts WHERE username = 'admin'",
               f"u={username}", f"r={role}", f"unit={unit_id}", f"emp={employee_id or ''}")
    return login(env.svc, username, ADMIN_PASSWORD)


class Phone:
    """An employee's phone: an Ed25519 key, its device row, the employee's token, and signed check-ins."""

    def __init__(self, svc, db, unit_id, nip=None):
        import nacl.signing
        self.svc, self.db = svc, db
        self.employee_id, self.nip = make_employee(db, unit_id, nip)
        self.key = nacl.signing.SigningKey.generate()
        pk = self.key.verify_key.encode().hex()
        self.device_id = db.sql("INSERT INTO devices (employee_id, public_key, label) "
                                "VALUES (:'emp', decode(:'pk', 'hex'), 'test phone') RETURNING id",
                                f"emp={self.employee_id}", f"pk={pk}")[0][0]
        self.token = login(svc, self.nip, ADMIN_PASSWORD)

    def payload(self, type="in", mode="WFO", lat=-6.1818, lon=106.8283, accuracy=10.0, captured_at=None,
                mock=False, selfie=None, nonce=None, device_id=None, **override):
        import hashlib
        body = {"device_id": str(device_id or self.device_id), "type": type, "mode": mode,
                "captured_at": captured_at or rfc3339(time.time()), "lat": lat, "lon": lon, "accuracy_m": accuracy,
                "mock_location": mock, "nonce": nonce or b64url(secrets.token_bytes(16)),
                "selfie_sha256": hashlib.sha256(selfie).hexdigest() if selfie is not None else None}
        body.update(override)
        return json.dumps(body).encode()

    def sign(self, payload, key=None):
        return b64url((key or self.key).sign(payload).signature)

    def post(self, payload, signature=None, selfie=None, token=None, parts=None, selfie_type=None, no_token=False):
        """POSTs a multipart check-in; parts overrides the list of (name, bytes, content type).
        The selfie's part is typed by its magic bytes unless selfie_type says otherwise. no_token: without a
        bearer token, as a phone checks in in the morning (the signature authenticates it)."""
        if selfie is not None and selfie_type is None:
            selfie_type = "image/png" if selfie.startswith(b"\x89PNG") else "image/jpeg"
        if parts is None:
            parts = [("payload", payload, "application/json"),
                     ("signature", (signature or self.sign(payload)).encode(), "text/plain")]
            if selfie is not None:
                parts.append(("selfie", selfie, selfie_type))
        body, ctype = multipart(parts)
        return self.svc.request("POST", "/v1/checkins", body, headers={"Content-Type": ctype},
                                token=None if no_token else token or self.token)

    def sign_in_payload(self, signed_at=None, nonce=None, device_id=None, **override):
        body = {"device_id": str(device_id or self.device_id), "purpose": "sign-in",
                "signed_at": signed_at or rfc3339(time.time()), "nonce": nonce or b64url(secrets.token_bytes(16))}
        body.update(override)
        return json.dumps(body).encode()

    def sign_in(self, payload=None, signature=None, key=None):
        """POST /v1/auth/device with the payload (default: a fresh one) signed by the phone's key."""
        payload = payload or self.sign_in_payload()
        return self.svc.request("POST", "/v1/auth/device", {"payload": b64url(payload),
                                                            "signature": signature or self.sign(payload, key)})

    def checkin(self, selfie=None, **fields):
        payload = self.payload(selfie=selfie, **fields)
        return self.post(payload, selfie=selfie)


def multipart(parts):
    boundary = "----attendance" + secrets.token_hex(8)
    out = b""
    for name, data, ctype in parts:
        disposition = f'form-data; name="{name}"' + ('; filename="selfie.jpg"' if name == "selfie" else "")
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {ctype}\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def jpeg(size=2000):
    """Bytes that are a JPEG by their magic bytes (the service checks no more)."""
    return b"\xff\xd8\xff\xe0" + secrets.token_bytes(size - 4)


def png(size=2000):
    return b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(size - 8)
