"""
The limits of docs/configuration.md, each enforced: request rate per client address, check-in rate per
device, open connections in all and per address, body and upload sizes, header size, and the database
pool (a request waits a bounded time for a connection, then 503; it never hangs).
"""
import hashlib
import http.client
import json
import secrets
import socket
import subprocess
import threading
import time

from harness import (Agency, Database, Phone, Service, admin_env, check, eq, jpeg, multipart, test)

BALAI_KOTA = (-6.1818, 106.8283)


def expect_429(r, what):
    eq((r.status, r.error_code()), (429, "rate_limited"), what)
    retry = int(r.headers.get("retry-after", "0"))
    check(retry >= 1, f"{what}: Retry-After {r.headers.get('retry-after')!r}")
    return retry


def request_from(svc, source_address, path="/healthz"):
    """A GET sent from another loopback address (127.0.0.0/8 is all local)."""
    with socket.create_connection(("127.0.0.1", svc.port), timeout=10, source_address=(source_address, 0)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return int(s.recv(100).split(b" ", 2)[1])


@test
def requests_per_address_are_limited_with_retry_after():
    env = admin_env(ATTENDANCE_RATE_PER_ADDRESS=60, ATTENDANCE_RATE_PER_ADDRESS_BURST=5)
    try:
        svc = env.svc
        # From an address of its own, so that the harness's readiness probes took nothing from its bucket.
        for i in range(5):
            eq(request_from(svc, "127.0.0.4"), 200, f"request {i + 1} of the burst")
        eq(request_from(svc, "127.0.0.4"), 429, "the sixth at once")
        for i in range(10):  # spend 127.0.0.1's bucket too
            r = svc.request("GET", "/healthz")
        retry = expect_429(r, "127.0.0.1 over its burst")
        eq(retry, 1, "one request a second comes back after a second")
        eq(sorted(r.json()["error"]), ["code", "message"], "the contract's error body")
        # Over the limit a body is not read: a 2 GiB declaration gets 429, at once.
        r = svc.request("POST", "/v1/units", b"", headers={"Content-Type": "application/json",
                                                           "Content-Length": str(2 ** 31)})
        expect_429(r, "a large body while limited")
        eq(request_from(svc, "127.0.0.2"), 200, "another address has its own bucket")
        time.sleep(retry + 0.1)
        eq(svc.request("GET", "/healthz").status, 200, "after Retry-After")
        eq(svc.request("GET", "/healthz").status, 429, "and only one")
        metrics = svc.request("GET", "/metrics")  # from 127.0.0.1: limited too
        eq(metrics.status, 429, "every route counts")
    finally:
        env.close()


@test
def behind_a_trusted_proxy_the_address_it_names_is_limited():
    env = admin_env(ATTENDANCE_RATE_PER_ADDRESS=60, ATTENDANCE_RATE_PER_ADDRESS_BURST=3,
                    ATTENDANCE_TRUSTED_PROXIES="127.0.0.5")
    try:
        def from_proxy(client, source="127.0.0.5"):
            with socket.create_connection(("127.0.0.1", env.svc.port), timeout=10,
                                          source_address=(source, 0)) as s:
                s.sendall(f"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: {client}\r\n"
                          "Connection: close\r\n\r\n".encode())
                return int(s.recv(100).split(b" ", 2)[1])
        eq([from_proxy("198.51.100.7") for _ in range(4)], [200, 200, 200, 429], "one client behind the proxy")
        eq(from_proxy("198.51.100.8"), 200, "another client behind the same proxy has its own bucket")
        # From an untrusted peer the header is the client's word: its own address counts.
        eq([from_proxy(f"203.0.113.{i}", source="127.0.0.6") for i in range(4)], [200, 200, 200, 429],
           "X-Forwarded-For from an untrusted peer evades nothing")
    finally:
        env.close()


@test
def check_ins_per_device_are_limited_by_default_and_leave_no_row():
    # An empty setting is the default (6 a minute, 20 at once); the harness turns it off otherwise.
    env = admin_env(ATTENDANCE_CHECKIN_RATE_PER_DEVICE="", ATTENDANCE_CHECKIN_RATE_BURST="")
    try:
        a = Agency(env.svc)
        unit = a.unit(a.prefix + "-LIM", "administrative", work_hours={})
        p, q = Phone(env.svc, env.db, unit["id"]), Phone(env.svc, env.db, unit["id"])
        for i in range(20):
            eq(p.checkin().status, 201, f"check-in {i + 1} of the burst")
        before = env.db.sql("SELECT count(*) FROM checkins")[0][0]
        r = p.checkin()
        retry = expect_429(r, "the 21st at once")
        check(9 <= retry <= 10, f"a check-in every 10 s: Retry-After {retry}")
        eq(env.db.sql("SELECT count(*) FROM checkins")[0][0], before, "no row")
        eq(q.checkin().status, 201, "another device is not held back")
        text = env.svc.request("GET", "/metrics").body.decode()
        check('result="rate_limited"} 1' in text, "counted in the metrics")
    finally:
        env.close()


def idle_connections(svc, n, source="127.0.0.1"):
    socks = [socket.create_connection(("127.0.0.1", svc.port), timeout=5, source_address=(source, 0))
             for _ in range(n)]
    return socks


def answer_of(sock, timeout):
    """The status of a GET on sock, or None when nothing comes (waiting) or the server closed it."""
    sock.settimeout(timeout)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        while len(body) < length:  # the whole answer, so that the next starts clean
            body += sock.recv(4096)
        return int(head.split(b" ", 2)[1])
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        return None


@test
def the_connection_cap_holds_the_next_connection_until_one_closes():
    db = Database()
    # All four from one address: the per-address cap (a tenth by default) is off here.
    svc = Service(db.url, ATTENDANCE_CONNECTION_LIMIT=4, ATTENDANCE_PER_IP_CONNECTION_LIMIT=0)
    try:
        time.sleep(0.5)  # the harness's readiness probe has closed its connection
        held = idle_connections(svc, 4)
        for s in held:
            eq(answer_of(s, 5), 200, "within the cap")
        extra = idle_connections(svc, 1)[0]
        eq(answer_of(extra, 1), None, "the fifth is not served while four are open")
        held[0].close()
        extra.settimeout(5)
        eq(int(extra.recv(100).split(b" ", 2)[1]), 200, "served once one closes")
        for s in held[1:] + [extra]:
            s.close()
    finally:
        svc.close()
        db.drop()


@test
def connections_per_address_are_capped():
    db = Database()
    svc = Service(db.url, ATTENDANCE_PER_IP_CONNECTION_LIMIT=2)
    try:
        time.sleep(0.5)  # the harness's readiness probe has closed its connection
        held = idle_connections(svc, 2)
        for s in held:
            eq(answer_of(s, 5), 200, "two are served")
        third = idle_connections(svc, 1)[0]
        eq(answer_of(third, 3), None, "a third from the same address is closed")
        eq(request_from(svc, "127.0.0.3"), 200, "another address may connect")
        for s in held:
            eq(answer_of(s, 5), 200, "the two are still served")
            s.close()
        third.close()
        # The service counts a connection until a worker has seen it closed, moments after the client
        # closed it (under the sanitizers on a busy machine, sometimes after the next connect).
        deadline = time.time() + 3
        while True:
            try:
                status = svc.request("GET", "/healthz").status
                break
            except (ConnectionResetError, http.client.RemoteDisconnected):
                check(time.time() < deadline, "the address may connect again within 3 s of closing its two")
                time.sleep(0.05)
        eq(status, 200, "and the address may connect again")
    finally:
        svc.close()
        db.drop()


def status_of_big_headers(svc, size):
    """The status code libmicrohttpd answers a GET with a header of size bytes (raw: http.client would refuse)."""
    with socket.create_connection(("127.0.0.1", svc.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
        return s.recv(100).split(b" ", 2)[1]


@test
def bodies_uploads_and_headers_over_their_limits_are_refused():
    env = admin_env(ATTENDANCE_MAX_BODY_BYTES=2048)
    try:
        svc = env.svc
        a = Agency(svc)
        before = env.db.sql("SELECT count(*) FROM units")[0][0]
        body = json.dumps({"code": "BIG", "name": "n" * 2100, "category": "administrative",
                           "timezone": "Asia/Jakarta"}).encode()
        r = svc.request("POST", "/v1/units", body, headers={"Content-Type": "application/json"}, token=a.admin)
        eq((r.status, r.error_code()), (413, "payload_too_large"), "a JSON body over the limit")
        # Without a Content-Length (chunked), the body is cut at the limit as it arrives.
        conn = svc.connect()
        conn.putrequest("POST", "/v1/units")
        for name, value in (("Content-Type", "application/json"), ("Authorization", f"Bearer {a.admin}"),
                            ("Transfer-Encoding", "chunked")):
            conn.putheader(name, value)
        conn.endheaders()
        for i in range(0, len(body), 500):
            piece = body[i:i + 500]
            conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        eq(r.status, 413, "a chunked body over the limit")
        check(b"payload_too_large" in r.read(), "its error code")
        conn.close()
        eq(env.db.sql("SELECT count(*) FROM units")[0][0], before, "no unit")
        # The CSV import takes 32 MiB: more is refused from the declaration.
        r = svc.request("POST", "/v1/employees/import", b"", token=a.admin,
                        headers={"Content-Type": "text/csv", "Content-Length": str(33 << 20)})
        eq((r.status, r.error_code()), (413, "payload_too_large"), "an import over 32 MiB")
        # A selfie over 2 MiB.
        p = Phone(svc, env.db, a.unit_a["id"])
        big = b"\xff\xd8\xff" + b"x" * (2 << 20)
        r = p.post(p.payload(selfie=big), selfie=big)
        eq((r.status, r.error_code()), (413, "payload_too_large"), "a selfie over 2 MiB")
        eq(env.db.sql("SELECT count(*) FROM checkins")[0][0], "0", "no check-in")
        # Headers beyond libmicrohttpd's 64 KiB per connection.
        eq(status_of_big_headers(svc, 100000), b"431", "headers too large")
        eq(svc.request("GET", "/healthz").status, 200, "still up")
    finally:
        env.close()


@test
def a_connection_of_16_kib_still_takes_a_selfie_and_refuses_headers_beyond_it():
    # ATTENDANCE_CONNECTION_MEMORY_KB bounds what each connection holds: an upload streams through the smaller
    # read buffer, and the headers must fit in it.
    env = admin_env(ATTENDANCE_CONNECTION_MEMORY_KB="16")
    try:
        svc = env.svc
        a = Agency(svc)
        a.office(a.unit_a["id"])
        p = Phone(svc, env.db, a.unit_a["id"])
        selfie = b"\xff\xd8\xff" + secrets.token_bytes(200 * 1024)
        r = p.post(p.payload(selfie=selfie), selfie=selfie)
        eq(r.status, 201, f"a check-in with a 200 KB selfie: {r}")
        eq(env.db.sql("SELECT size_bytes FROM selfies WHERE sha256 = :'s'", f"s={hashlib.sha256(selfie).hexdigest()}"),
           [[str(len(selfie))]], "the whole selfie stored")
        r = svc.request("GET", "/healthz", headers={"X-Padding": "a" * 4000})
        eq(r.status, 200, "4 KB of headers fit")
        eq(status_of_big_headers(svc, 20000), b"431", "20 KB of headers do not")
        eq(svc.request("GET", "/healthz").status, 200, "still up")
    finally:
        env.close()


@test
def the_service_opens_its_whole_pool_warmed_before_it_is_ready():
    # db_pool_warm: every connection is connected, its statements prepared and the check-in's batch statement
    # taken past PostgreSQL's custom plans (store_warm_ups), before the service says it is ready.
    env = admin_env(ATTENDANCE_DB_POOL_SIZE=3)
    try:
        n = env.db.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = :'d'"
                       " AND application_name = 'attendance-svc'", f"d={env.db.name}")
        eq(n, [["3"]], "the pool's three connections, before any request")
        failed = [r["msg"] for r in env.svc.log_records() if "cannot warm" in r.get("msg", "")]
        eq(failed, [], "every warm-up ran")
        eq(env.db.sql("SELECT count(*) FROM checkins"), [["0"]], "the warm-ups stored nothing")
    finally:
        env.close()


@test
def an_exhausted_pool_answers_503_after_the_acquire_timeout_and_never_hangs():
    env = admin_env(ATTENDANCE_DB_POOL_SIZE=1, ATTENDANCE_DB_ACQUIRE_TIMEOUT_MS=300)
    try:
        svc = env.svc
        a = Agency(svc)
        # Another session holds the units table, so the request that reads it holds the one connection.
        locker = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", env.db.url],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        locker.stdin.write("BEGIN; LOCK TABLE units IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;\n")
        locker.stdin.flush()
        time.sleep(0.5)
        first = {}
        holder = threading.Thread(target=lambda: first.update(r=svc.request("GET", "/v1/units", token=a.admin)))
        holder.start()
        time.sleep(0.5)
        started = time.time()
        r = svc.request("GET", f"/v1/units/{a.top['id']}", token=a.admin, timeout=10)
        took = time.time() - started
        eq((r.status, r.error_code()), (503, "database_unavailable"), "no connection free")
        eq(r.headers.get("retry-after"), "1", "Retry-After")
        check(0.25 <= took < 2, f"after the acquire timeout of 0.3 s, not sooner or much later: {took:.2f} s")
        holder.join(15)
        locker.communicate(timeout=15)
        eq(first["r"].status, 200, "the request holding the connection finishes once the lock goes")
        eq(svc.request("GET", "/v1/units", token=a.admin).status, 200, "and the pool serves again")
        text = svc.request("GET", "/metrics").body.decode()
        check(any(line.startswith("attendance_db_acquire_timeouts_total") and not line.endswith(" 0")
                  for line in text.splitlines()), "the timeout is counted in the metrics")
    finally:
        env.close()
