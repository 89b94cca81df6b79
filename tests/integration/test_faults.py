"""Faults: the service killed, PostgreSQL stopped or crashed, slow clients, a full or read-only selfie store.

The load is phones checking in from threads, each as the real client does: a check-in is signed once and
the same bytes are sent again after a 503 or a network error until the answer is 201 or 200. Every request
is kept (Load), and after the fault settle() accounts for each against the database: every acknowledged
check-in is stored with the id it was answered with; the only stored check-ins not acknowledged are
requests in flight at the fault; a retry of those is 200 (stored) or 201 (not), never a second row; a
retry of an acknowledged one is 200 with the same bytes; in the end there is one row per request.

The PostgreSQL scenarios run on a cluster of this module's own (harness.Cluster), which they stop and start.
Design and guarantees: docs/reliability.md, Faults.
"""
import copy
import errno
import hashlib
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from harness import (ADMIN_PASSWORD, ADMIN_USER, Agency, Cluster, Database, Failure, Phone, Service, check, eq,
                     jpeg, test)

BALAI_KOTA = (-6.1818, 106.8283)
FAR = (BALAI_KOTA[0] + 500 / 111195.0, BALAI_KOTA[1])  # 500 m north: OUTSIDE_GEOFENCE
PHONES = 6
RETRY_PAUSE_S = 0.05
RECOVERY_S = 2.0  # the bound: full service within this long of the database's return


class Env:
    def __init__(self):
        self.cluster = Cluster("faults")
        self.db = Database(self.cluster.url)
        self.svc = self.service()
        a = self.agency = Agency(self.svc)
        self.unit = a.unit(a.prefix + "-F", "administrative", work_hours={})  # no work days: no lateness
        r = self.svc.request("POST", "/v1/offices", {"unit_id": self.unit["id"], "name": "Balai Kota", "geofence": {
            "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
        check(r.status == 201, f"office: {r}")

    def service(self, **env):
        env.setdefault("ATTENDANCE_BOOTSTRAP_ADMIN", f"{ADMIN_USER}:{ADMIN_PASSWORD}")
        return Service(self.db.url, **env)

    def phones(self, svc=None, n=PHONES):
        return [Phone(svc or self.svc, self.db, self.unit["id"]) for _ in range(n)]

    def close(self):
        try:
            self.svc.close()
        finally:
            self.cluster.destroy()


def setup():
    return Env()


def teardown(env):
    env.close()


# ---- the load and its ledger ----

class Attempt:
    def __init__(self, began, ended, status, body, retry_after):
        self.began, self.ended, self.status, self.body, self.retry_after = began, ended, status, body, retry_after

    def error_code(self):
        try:
            return json.loads(self.body)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None

    def __repr__(self):
        return f"<{self.status} at {self.began:.3f}-{self.ended:.3f} {self.body[:120]!r}>"


class Request:
    """One signed check-in and every attempt to deliver it; answer is the body of its 201 or 200."""

    def __init__(self, phone, n):
        self.phone = phone
        self.selfie = jpeg(1500) if n % 2 else None
        lat, lon = FAR if n % 3 == 0 else BALAI_KOTA
        self.payload = phone.payload(type="in" if n % 2 else "out", lat=lat, lon=lon, selfie=self.selfie)
        self.nonce = json.loads(self.payload)["nonce"]
        self.signature = phone.sign(self.payload)
        self.attempts = []
        self.answer = None

    def send(self):
        began = time.time()
        try:
            r = self.phone.post(self.payload, self.signature, selfie=self.selfie)
            a = Attempt(began, time.time(), r.status, r.body, r.headers.get("retry-after"))
        except (OSError, http.client.HTTPException) as e:  # refused, reset: no answer
            a = Attempt(began, time.time(), None, repr(e).encode(), None)
        self.attempts.append(a)
        if a.status in (200, 201) and self.answer is None:
            self.answer = a.body
        return a


class Load:
    """PHONES threads, each checking in one request after another, re-sending a request's bytes after a 503 or a
    network error until it is answered; every request is kept in requests."""

    def __init__(self, phones):
        self.phones = phones
        self.requests = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.drive, args=(p,), daemon=True) for p in phones]
        for t in self.threads:
            t.start()

    def drive(self, phone):
        n = 0
        while not self.stopping.is_set():
            n += 1
            req = Request(phone, n)
            with self.lock:
                self.requests.append(req)
            while not self.stopping.is_set():
                a = req.send()
                if a.status not in (None, 503):
                    break  # answered (or a status the test will report)
                time.sleep(RETRY_PAUSE_S)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(60)
            check(not t.is_alive(), "a load thread did not stop")

    def attempts(self):
        return [a for r in self.requests for a in r.attempts]


def stored(db, phones):
    """{nonce: check-in id} of the phones' check-ins in the database."""
    devices = ",".join(str(p.device_id) for p in phones)
    rows = db.sql("SELECT nonce, id FROM checkins WHERE device_id = ANY (string_to_array(:'d', ',')::bigint[])",
                  f"d={devices}")
    return {nonce: id_ for nonce, id_ in rows}


def settle(db, svc, load, fault_at, resend_answered=40):
    """Accounts for every request of load against the database after a fault at time fault_at (see the module's
    docstring); svc is the service answering now."""
    requests = load.requests
    eq(len({r.nonce for r in requests}), len(requests), "distinct nonces")
    before = stored(db, load.phones)
    answered = [r for r in requests if r.answer is not None]
    check(len(answered) >= 20, f"too little load to prove anything: {len(answered)} check-ins answered")
    for r in answered:
        eq(before.get(r.nonce), json.loads(r.answer)["checkin_id"], "an acknowledged check-in is stored as answered")
    unanswered = [r for r in requests if r.answer is None]
    stored_unanswered = [r for r in unanswered if r.nonce in before]
    # Only a request in flight at the fault can have been stored without its answer getting out.
    check(len(stored_unanswered) <= len(load.phones), f"{len(stored_unanswered)} stored but unanswered")
    for r in stored_unanswered:
        check(any(a.began <= fault_at for a in r.attempts),
              f"stored but unanswered, yet not in flight at the fault: {r.attempts}")
    eq(len(before), len(answered) + len(stored_unanswered), "no stored check-in that was not sent")

    # The phones retry what was not answered, with the same bytes: a stored one is 200, the others 201.
    for p in load.phones:
        p.svc = svc
    for r in unanswered:
        first = r.send()
        eq(first.status, 200 if r.nonce in before else 201, f"the retry of an unanswered request ({first.body[:200]})")
        again = r.send()
        eq((again.status, again.body), (200, first.body), "a second retry: 200, the same bytes")
    print(f"# {len(requests)} check-ins, {len(answered)} answered under the fault; of the {len(unanswered)} others, "
          f"{len(stored_unanswered)} had been stored (a retry: 200), {len(unanswered) - len(stored_unanswered)} "
          "not (a retry: 201)")
    for r in random.sample(answered, min(resend_answered, len(answered))):
        a = r.send()
        eq((a.status, a.body), (200, r.answer), "a retry of an acknowledged check-in: 200, the first answer's bytes")

    after = stored(db, load.phones)
    eq(len(after), len(requests), "one stored check-in per request")
    for r in requests:
        eq(after.get(r.nonce), json.loads(r.answer)["checkin_id"], "stored as last answered")
    devices = ",".join(str(p.device_id) for p in load.phones)
    violations = db.sql("SELECT count(*) FROM violations v JOIN checkins c ON c.id = v.checkin_id "
                        "WHERE c.device_id = ANY (string_to_array(:'d', ',')::bigint[])", f"d={devices}")[0][0]
    eq(int(violations), sum(len(json.loads(r.answer)["violations"]) for r in requests),
       "the stored violations are those answered")
    selfies = {row[0] for row in db.sql(
        "SELECT c.selfie_sha256 FROM checkins c JOIN selfies s ON s.sha256 = c.selfie_sha256 "
        "WHERE c.device_id = ANY (string_to_array(:'d', ',')::bigint[])", f"d={devices}")}
    for r in requests:
        if r.selfie is not None:
            sha = hashlib.sha256(r.selfie).hexdigest()
            check(sha in selfies, "a stored check-in's selfie record")
            with open(os.path.join(svc.selfie_dir, sha[:2], sha), "rb") as f:
                check(f.read() == r.selfie, "a stored check-in's selfie, whole, in the store")


def statuses(attempts):
    counts = {}
    for a in attempts:
        counts[a.status] = counts.get(a.status, 0) + 1
    return counts


# ---- the service killed ----

@test
def sigkill_under_load_loses_no_acknowledged_check_in_and_stores_nothing_twice(env):
    load = Load(env.phones())
    time.sleep(1.5)
    env.svc.proc.kill()
    killed_at = time.time()
    load.stop()
    env.svc.proc.wait()
    selfie_dir = env.svc.selfie_dir
    eq(env.svc.stop(), -9, "killed")
    os.unlink(env.svc.log.name)
    env.svc = env.service(migrate=False, ATTENDANCE_SELFIE_DIR=selfie_dir)
    unexpected = [a for a in load.attempts() if a.status not in (None, 200, 201, 503)]
    eq(unexpected, [], "answers other than 201, 200 and 503")
    settle(env.db, env.svc, load, killed_at)


# ---- PostgreSQL stopped, or crashed, under load ----

def outage(env, mode, down_s):
    """Stops PostgreSQL (mode fast or immediate) under load for down_s seconds, starts it, and checks the answers
    before, during and after."""
    svc = env.svc
    pid = svc.proc.pid
    load = Load(env.phones())
    time.sleep(1.0)
    stop_began = time.time()
    env.cluster.stop(mode)
    down_at = time.time()
    time.sleep(down_s)
    start_began = time.time()
    env.cluster.start()
    back_at = time.time()  # pg_ctl start -w returned: the server accepts connections
    time.sleep(RECOVERY_S + 1.5)
    load.stop()
    check(svc.proc.poll() is None and svc.proc.pid == pid, f"the service died: exit {svc.proc.returncode}")

    attempts = load.attempts()
    counts = statuses(attempts)
    check(set(counts) <= {200, 201, 503}, f"only 201, 200 and 503, never a refused connection or a 500: {counts}")
    for a in attempts:
        if a.status == 503:
            eq(a.error_code(), "database_unavailable", f"the 503's code ({a.body[:200]})")
            check(a.retry_after is not None and a.retry_after.isdigit(), "a 503 has Retry-After")
    down = [a for a in attempts if a.began >= down_at and a.ended <= start_began]
    check(len(down) >= 20 * down_s, f"load while the database was down: {len(down)} attempts")
    eq(statuses(down), {503: len(down)}, "while the database is down, only 503s")
    slowest = max(a.ended - a.began for a in down)
    # Below the 2 s connect_timeout: nothing waits on a database that is not there.
    check(slowest < 1.5, f"a 503 took {slowest:.2f}s")
    recovered = [a.ended for a in attempts if a.status in (200, 201) and a.began >= start_began]
    check(recovered and min(recovered) - back_at < RECOVERY_S,
          f"first check-in stored {min(recovered) - back_at if recovered else None}s after the database returned")
    late = [a for a in attempts if a.began >= back_at + RECOVERY_S]
    check(len(late) >= 20, f"load after recovery: {len(late)} attempts")
    eq([a for a in late if a.status not in (200, 201)], [], f"{RECOVERY_S}s after the database's return, full service")
    settle(env.db, svc, load, down_at)
    print(f"# {mode}: stop took {down_at - stop_began:.2f}s, start {back_at - start_began:.2f}s; "
          f"slowest 503 while down {slowest * 1000:.0f} ms; first check-in stored {min(recovered) - back_at:.3f}s after; "
          f"answers {counts}")


@test
def postgresql_stopped_for_10_s_under_load_gives_503s_then_full_service(env):
    outage(env, "fast", 10)


@test
def postgresql_crashed_and_restarted_under_load_gives_503s_then_full_service(env):
    outage(env, "immediate", 3)


# ---- slow clients ----

DEFAULT_CONNECTION_LIMIT = 1000  # ATTENDANCE_CONNECTION_LIMIT's default (docs/configuration.md)


def from_address(svc, address):
    """svc as seen by a client on another loopback address (a per-IP limit counts each address apart)."""
    other = copy.copy(svc)
    other.connect = lambda timeout=30: http.client.HTTPConnection("127.0.0.1", svc.port, timeout=timeout,
                                                                  source_address=(address, 0))
    return other


def is_open(sock):
    """Whether the server still holds the (non-blocking) socket's connection."""
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


@test
def slowloris_holding_connections_does_not_keep_other_clients_out(env):
    # The limits as shipped; a short idle timeout only to see it work within the test.
    svc = env.service(migrate=False, ATTENDANCE_CONNECTION_TIMEOUT_S=2)
    slow, stop, trickler = [], threading.Event(), None
    try:
        head = (b"POST /v1/checkins HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=slow\r\nX-Slow: " + b"s" * 4000)
        # One client address opens as many connections as the whole service allows, each sending its headers a
        # byte at a time, more often than the idle timeout, so that none is ever idle.
        for _ in range(DEFAULT_CONNECTION_LIMIT):
            try:
                s = socket.create_connection(("127.0.0.1", svc.port), timeout=2)
                s.sendall(head[:1])
                s.setblocking(False)
                slow.append(s)
            except OSError:
                break
        silent = socket.create_connection(("127.0.0.1", svc.port), timeout=2, source_address=("127.0.0.3", 0))
        silent.sendall(b"GET /healthz HTTP/1.1\r\n")  # then nothing
        silent.setblocking(False)

        def trickle():
            i = 1
            while not stop.wait(0.5):
                for s in slow:
                    try:
                        s.send(head[i:i + 1])
                    except OSError:
                        pass
                i += 1
        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        time.sleep(1.2)

        other = from_address(svc, "127.0.0.2")
        began = time.time()
        r = other.request("GET", "/healthz", timeout=5)
        took = time.time() - began
        eq(r.status, 200, "another client's /healthz")
        check(took < 1.0, f"another client served in {took:.2f}s")
        [phone] = env.phones(other, 1)
        began = time.time()
        r = phone.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])
        took = time.time() - began
        eq(r.status, 201, f"another client's check-in: {r}")
        check(took < 2.0, f"another client's check-in took {took:.2f}s")

        held = sum(is_open(s) for s in slow)
        check(0 < held < DEFAULT_CONNECTION_LIMIT, f"the slow client holds {held} connections")
        time.sleep(2.5)
        check(not is_open(silent), "a connection silent for longer than the timeout is closed")
        eq(sum(is_open(s) for s in slow), held, "a trickling connection is not idle: it is kept")
        print(f"# slowloris: {len(slow)} connections opened, {held} held; others served at once")
    finally:
        stop.set()
        if trickler:
            trickler.join(5)
        for s in slow:
            s.close()
        svc.close()


# ---- the selfie store full, or read-only ----

def mount(*args):
    out = subprocess.run(["mount"] + list(args), capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise Failure(f"mount {' '.join(args)} failed: {out.stderr.strip()}: this test needs to mount a tmpfs "
                      "(run the tests as root, with CAP_SYS_ADMIN); it cannot prove anything without")


def files(store):
    return sorted(os.path.join(d, f) for d, _, names in os.walk(store) for f in names)


def refused(env, store, phone):
    """A check-in with a selfie is refused 503 storage_unavailable and leaves nothing: no row, no violation, no
    selfie record, no file whole or partial. Returns what was sent, for the retry."""
    selfie = jpeg(200 * 1024)
    payload = phone.payload(lat=FAR[0], lon=FAR[1], selfie=selfie)  # outside: a violation, were it stored
    signature = phone.sign(payload)
    before = files(store)
    r = phone.post(payload, signature, selfie=selfie)
    eq((r.status, r.error_code()), (503, "storage_unavailable"), f"answer {r}")
    check(r.headers.get("retry-after", "").isdigit(), "Retry-After")
    nonce = json.loads(payload)["nonce"]
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE device_id = :'d' AND nonce = :'n'",
                  f"d={phone.device_id}", f"n={nonce}"), [["0"]], "no check-in row")
    eq(env.db.sql("SELECT count(*) FROM violations v JOIN checkins c ON c.id = v.checkin_id "
                  "WHERE c.device_id = :'d' AND c.nonce = :'n'", f"d={phone.device_id}", f"n={nonce}"), [["0"]],
       "no violation row")
    eq(env.db.sql("SELECT count(*) FROM selfies WHERE sha256 = :'s'", f"s={hashlib.sha256(selfie).hexdigest()}"),
       [["0"]], "no selfie record")
    eq(files(store), before, "no file, whole or partial, in the store")
    return payload, signature, selfie


def stored_now(env, store, phone, sent):
    payload, signature, selfie = sent
    r = phone.post(payload, signature, selfie=selfie)
    eq(r.status, 201, f"the same request once the store works: {r}")
    check(len(r.json()["violations"]) >= 1, "its violations")
    sha = hashlib.sha256(selfie).hexdigest()
    with open(os.path.join(store, sha[:2], sha), "rb") as f:
        check(f.read() == selfie, "the selfie, whole")
    eq(env.db.sql("SELECT count(*) FROM violations WHERE checkin_id = :'c'", f"c={r.json()['checkin_id']}"),
       [[str(len(r.json()["violations"]))]], "its violation rows")


@test
def a_full_or_read_only_selfie_store_is_a_clear_503_that_leaves_nothing(env):
    store = tempfile.mkdtemp(prefix="selfies-tmpfs-")
    mount("-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", store)
    svc = None
    try:
        svc = env.service(migrate=False, ATTENDANCE_SELFIE_DIR=store)
        [phone] = env.phones(svc, 1)
        filler = os.path.join(store, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 65536)
        except OSError as e:
            eq(e.errno, errno.ENOSPC, "the store fills up")
        finally:
            os.close(fd)

        sent = refused(env, store, phone)
        r = phone.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])
        eq(r.status, 201, f"a check-in without a selfie does not need the store: {r}")
        os.unlink(filler)
        stored_now(env, store, phone, sent)

        mount("-o", "remount,ro", store)
        kept = sent[2]
        r = phone.checkin(selfie=kept, lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])
        eq(r.status, 201, f"a selfie the store holds already needs no write: {r}")
        sent = refused(env, store, phone)
        mount("-o", "remount,rw", store)
        stored_now(env, store, phone, sent)
        eq(svc.proc.poll(), None, "the service is up")
    finally:
        if svc:
            svc.close()
        subprocess.run(["umount", store], capture_output=True, timeout=30)
        shutil.rmtree(store, ignore_errors=True)
