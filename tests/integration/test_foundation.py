"""The foundation: migrations, configuration, routing, limits, logs, metrics, shutdown, database loss."""
import glob
import os
import shutil
import signal
import socket
import tempfile
import time

from harness import (SQL_DIR, Cluster, Database, Env, Failure, Service, base_env, check, eq, log_records, psql,
                     run_svc, test)


def setup():
    return Env()


def teardown(env):
    env.close()


def copy_sql_dir():
    tmp = tempfile.mkdtemp(prefix="sql-")
    for f in glob.glob(os.path.join(SQL_DIR, "*.sql")):
        shutil.copy(f, tmp)
    return tmp


def migration_count():
    return len([f for f in os.listdir(SQL_DIR) if f[:4].isdigit() and f.endswith(".sql")])


@test
def migrations_apply_from_empty_and_only_once(env):
    db = Database()
    try:
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, "first migrate exit code")
        rows = db.sql("SELECT count(*), max(version) FROM schema_migrations")
        eq(int(rows[0][0]), migration_count(), "migrations recorded")
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, "second migrate exit code")
        last = log_records(lines)[-1]
        eq(last.get("applied_now"), 0, "migrations applied by the second run")
    finally:
        db.drop()


@test
def a_broken_migration_is_rolled_back_and_named(env):
    db = Database()
    sql_dir = copy_sql_dir()
    try:
        with open(os.path.join(sql_dir, "9999_broken.sql"), "w") as f:
            f.write("CREATE TABLE half_done (id int);\n\nCREATE TABLE broken (;\n")
        code, lines = run_svc(["migrate"], base_env(db.url, ATTENDANCE_SQL_DIR=sql_dir))
        check(code != 0, "migrate must fail on a broken file")
        errors = [r for r in log_records(lines) if r.get("level") == "error"]
        check(any(r.get("file") == "9999_broken.sql" and r.get("line") == 3 for r in errors),
              f"the error names the file and line: {errors}")
        eq(db.sql("SELECT count(*) FROM schema_migrations WHERE version = 9999"), [["0"]], "broken file recorded")
        eq(db.sql("SELECT to_regclass('half_done') IS NULL"), [["t"]], "a table of the failed file remains")
        eq(int(db.sql("SELECT count(*) FROM schema_migrations")[0][0]), migration_count(), "good files applied")
    finally:
        shutil.rmtree(sql_dir)
        db.drop()


@test
def a_migration_changed_after_it_ran_is_refused(env):
    db = Database()
    sql_dir = copy_sql_dir()
    try:
        eq(run_svc(["migrate"], base_env(db.url, ATTENDANCE_SQL_DIR=sql_dir))[0], 0, "first run")
        first = sorted(glob.glob(os.path.join(sql_dir, "0001_*.sql")))[0]
        with open(first, "a") as f:
            f.write("\n-- edited afterwards\n")
        code, lines = run_svc(["migrate"], base_env(db.url, ATTENDANCE_SQL_DIR=sql_dir))
        check(code != 0, "an edited migration must be refused")
        check(any("changed after it was applied" in r.get("msg", "") for r in log_records(lines)), "says why")
    finally:
        shutil.rmtree(sql_dir)
        db.drop()


@test
def serve_refuses_a_schema_that_is_behind(env):
    db = Database()
    try:
        code, lines = run_svc(["serve"], base_env(db.url, ATTENDANCE_LISTEN="127.0.0.1:1"), timeout=30)
        eq(code, 1, "exit code")
        check(any("schema is behind" in r.get("msg", "") for r in log_records(lines)), f"says why: {lines}")
    finally:
        db.drop()


@test
def bad_configuration_is_one_line_and_exit_2(env):
    cases = [
        {"ATTENDANCE_DATABASE_URL": ""},
        {"ATTENDANCE_JWT_SECRET": "short"},
        {"ATTENDANCE_LISTEN": "nonsense"},
        {"ATTENDANCE_THREADS": "many"},
        {"ATTENDANCE_BOOTSTRAP_ADMIN": "nocolon"},
    ]
    for case in cases:
        e = base_env(env.db.url)
        e.update(case)
        code, lines = run_svc(["serve"], e)
        eq(code, 2, f"exit code for {case}")
        eq(len(lines), 1, f"stderr lines for {case}: {lines}")
        name = [k for k in case][0]
        check(name in lines[0], f"the line names {name}: {lines[0]}")
    code, lines = run_svc(["frobnicate"], base_env(env.db.url))
    eq(code, 2, "unknown subcommand")


@test
def health_and_readiness(env):
    r = env.svc.request("GET", "/healthz")
    eq(r.status, 200, "healthz")
    eq(r.json(), {"status": "ok"}, "healthz body")
    r = env.svc.request("GET", "/readyz")
    eq(r.status, 200, "readyz")
    eq(r.json()["schema_version"], max(int(f[:4]) for f in os.listdir(SQL_DIR) if f[:4].isdigit()), "version")


@test
def unknown_route_is_404_json(env):
    r = env.svc.request("GET", "/v1/nothing-here")
    eq(r.status, 404, "status")
    eq(r.headers.get("content-type"), "application/json", "content type")
    body = r.json()
    eq(sorted(body.keys()), ["error"], "body keys")
    eq(body["error"]["code"], "not_found", "code")
    check(isinstance(body["error"]["message"], str) and body["error"]["message"], "a message")


@test
def wrong_method_is_405_with_allow(env):
    r = env.svc.request("DELETE", "/healthz")
    eq(r.status, 405, "status")
    eq(r.error_code(), "method_not_allowed", "code")
    eq(r.headers.get("allow"), "GET", "Allow header")


@test
def oversized_bodies_are_413(env):
    # Declared too large (2 GiB): refused before a byte of body is read.
    s = socket.create_connection(("127.0.0.1", env.svc.port), timeout=10)
    s.sendall(b"POST /v1/anything HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 2147483648\r\n\r\n")
    reply = s.recv(65536).decode()
    s.close()
    check(reply.startswith("HTTP/1.1 413"), f"declared 2 GiB: {reply[:80]}")
    check('"payload_too_large"' in reply, "error code in body")
    # Sent without a length (chunked), larger than the limit: read, dropped, then 413.
    def chunks():
        for _ in range(40):
            yield b"x" * 4096
    conn = env.svc.connect()
    conn.request("GET", "/readyz", body=chunks(), encode_chunked=True,
                 headers={"Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    eq(r.status, 413, "chunked body over the limit")
    conn.close()
    eq(env.svc.request("GET", "/healthz").status, 200, "still serving")


@test
def one_json_log_line_per_request(env):
    r = env.svc.request("GET", "/healthz", headers={"X-Request-Id": "trace-abc-123"})
    eq(r.headers.get("x-request-id"), "trace-abc-123", "request id kept")
    r2 = env.svc.request("GET", "/nope")
    rid = r2.headers.get("x-request-id")
    check(rid and len(rid) == 32, "a request id is made when none is given")
    time.sleep(0.2)
    records = [x for x in env.svc.log_records() if x.get("msg") == "request"]
    mine = [x for x in records if x.get("request_id") == "trace-abc-123"]
    eq(len(mine), 1, "log lines for the request")
    line = mine[0]
    eq((line["method"], line["route"], line["status"]), ("GET", "/healthz", 200), "fields")
    check(isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0, "duration")
    check(line["ts"].endswith("Z"), "timestamp in UTC")
    other = [x for x in records if x.get("request_id") == rid]
    eq((other[0]["status"], other[0]["error"]), (404, "not_found"), "the 404 line")


@test
def metrics_in_prometheus_text(env):
    env.svc.request("GET", "/healthz")
    env.svc.request("GET", "/does-not-exist")
    r = env.svc.request("GET", "/metrics")
    eq(r.status, 200, "status")
    check(r.headers["content-type"].startswith("text/plain; version=0.0.4"), "content type")
    text = r.body.decode()
    for needle in ('attendance_http_requests_total{route="GET /healthz",status="200"}',
                   'attendance_http_requests_total{route="unmatched",status="404"}',
                   'attendance_http_request_duration_seconds_bucket{route="GET /healthz",le="+Inf"}',
                   'attendance_http_request_duration_seconds_count{route="GET /healthz"}',
                   'attendance_db_pool_connections{state="in_use"}',
                   'attendance_db_pool_connections{state="idle"}'):
        check(needle in text, f"metrics lack {needle}")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])  # every sample has a numeric value


@test
def sigterm_finishes_the_request_in_flight_and_exits_0(env):
    db = Database()
    try:
        svc = Service(db.url)
        s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
        s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
        time.sleep(0.3)
        svc.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        check(svc.proc.poll() is None, "the service waits for the request in flight")
        s.sendall(b"cde")
        reply = s.recv(65536).decode()
        s.close()
        check(reply.startswith("HTTP/1.1 200"), f"the request in flight is answered: {reply[:60]}")
        eq(svc.stop(timeout=15), 0, "exit code after SIGTERM")
        # No new connections once it has stopped listening.
        try:
            socket.create_connection(("127.0.0.1", svc.port), timeout=2).close()
            raise Failure("still accepting connections after SIGTERM")
        except OSError:
            pass
    finally:
        db.drop()


@test
def after_sigterm_an_idle_keep_alive_connection_is_still_answered_and_then_closed(env):
    """A proxy's idle connection reused just after SIGTERM gets an answer with Connection: close, not a reset."""
    db = Database()
    try:
        svc = Service(db.url)
        s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        check(s.recv(65536).startswith(b"HTTP/1.1 200"), "the first answer")
        svc.proc.send_signal(signal.SIGTERM)  # nothing in flight: only the idle connection is open
        deadline = time.time() + 5
        while True:  # the listening socket closes first
            try:
                socket.create_connection(("127.0.0.1", svc.port), timeout=1).close()
            except OSError:
                break
            check(time.time() < deadline, "still listening 5 s after SIGTERM")
            time.sleep(0.02)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = s.recv(65536).decode()
        check(reply.startswith("HTTP/1.1 200"), f"the reused connection is answered: {reply[:60]!r}")
        check("connection: close" in reply.lower(), f"and told to close: {reply[:400]!r}")
        eq(s.recv(100), b"", "then the instance closes it")
        s.close()
        eq(svc.stop(timeout=15), 0, "exit code after SIGTERM")
    finally:
        db.drop()


def wait_status(svc, want, seconds):
    deadline = time.time() + seconds
    r = None
    while time.time() < deadline:
        r = svc.request("GET", "/readyz")
        if r.status == want:
            return r
        time.sleep(0.1)
    raise Failure(f"readyz did not become {want} within {seconds}s (last {r})")


@test
def database_loss_is_503_and_recovers_without_restart(env):
    cluster = Cluster("restart")
    svc = None
    try:
        svc = Service(cluster.url)
        eq(svc.request("GET", "/readyz").status, 200, "before")
        pid = svc.proc.pid
        for mode in ("fast", "immediate"):
            cluster.stop(mode)
            r = svc.request("GET", "/readyz")
            eq(r.status, 503, f"while the database is down ({mode})")
            eq(r.error_code(), "database_unavailable", "code")
            check(r.headers.get("retry-after", "").isdigit(), "Retry-After")
            eq(svc.request("GET", "/healthz").status, 200, "healthz does not need the database")
            cluster.start()
            began = time.time()
            wait_status(svc, 200, 10)
            check(time.time() - began < 3, f"recovered {time.time() - began:.1f}s after the database returned")
            # Every pooled connection must work again, not just one.
            for _ in range(20):
                eq(svc.request("GET", "/readyz").status, 200, "after recovery")
            check(svc.proc.poll() is None and svc.proc.pid == pid, "same process")
        # What libpq hears from a server going down ("FATAL: terminating connection ...") is in the JSON log,
        # not printed on stderr as text.
        lines = svc.log_text().splitlines()
        eq(len(log_records(lines)), len(lines), f"every line of stderr is JSON: {[l for l in lines if l[:1] != '{']}")
        told = [r for r in log_records(lines) if r.get("msg") == "database: the server says"]
        check(any(r.get("severity") == "FATAL" and r.get("sqlstate") == "57P01" for r in told),
              f"the server's FATAL logged: {told}")
    finally:
        if svc:
            code = svc.stop()
            eq(code, 0, "exit code")
        cluster.destroy()
