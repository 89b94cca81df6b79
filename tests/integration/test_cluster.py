"""
The service as deploy/cluster runs it: a PostgreSQL primary and a streaming
replica, two instances and nginx with TLS, all of its own (a state directory,
clusters and ports of its own, never the shared test cluster), spoken to over
HTTPS through nginx, the certificate verified against the CA it made.

While the replica's replay is paused, a fresh violation is written (the
check-in goes to the primary) but not listed (the list reads the replica);
once replay resumes it is. Requests are spread over both instances (each
one's /metrics counts them, nginx's JSON access log names them), and with one
instance stopped the service keeps answering.
"""
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time

from harness import (ADMIN_PASSWORD, REPO, SVC, Agency, HttpEndpoint, Phone, check, check_sanitizers, eq, free_port,
                     login, psql, test)

CLUSTER = os.path.join(REPO, "deploy", "cluster")
PG = os.path.join(REPO, "deploy", "pg")
BALAI_KOTA = (-6.1818, 106.8283)
FAR = (BALAI_KOTA[0] + 500 / 111195.0, BALAI_KOTA[1])  # 400 m outside a 100 m circle


class Primary:
    """The primary's database, with harness.Database's sql() (for Phone and staff made with SQL)."""

    def __init__(self, url):
        self.url = url

    def sql(self, query, *variables):
        return psql(self.url, query, *variables)


class Cluster:
    def __init__(self):
        self.state = tempfile.mkdtemp(prefix="attendance-cluster-")
        # deploy/cluster keeps an admin password it finds: the harness's, which its helpers log in with.
        with open(os.path.join(self.state, "admin.password"), "w", opener=lambda p, f: os.open(p, f, 0o600)) as f:
            f.write(ADMIN_PASSWORD)
        self.https_port = free_port()
        self.ports = [free_port(), free_port()]
        env = dict(os.environ, CLUSTER_HTTPS_PORT=str(self.https_port),
                   CLUSTER_INSTANCE_PORTS=" ".join(map(str, self.ports)), ATTENDANCE_SVC=SVC)
        env.update({"ASAN_OPTIONS": "abort_on_error=0:detect_leaks=1",
                    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"})
        out = subprocess.run(["bash", CLUSTER, "start", self.state], env=env, capture_output=True, text=True,
                             timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"deploy/cluster start failed:\n{out.stderr[-4000:]}")
        # The cluster's front: nginx over HTTPS, checked against the cluster's own CA.
        self.proxy = HttpEndpoint(self.https_port,
                                  ssl.create_default_context(cafile=os.path.join(self.state, "tls", "ca.pem")))
        self.primary = Primary(self.pg("url", "pg-primary").strip())

    def pg(self, command, cluster, *args):
        out = subprocess.run(["bash", PG, command, os.path.join(self.state, cluster)] + list(args),
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"deploy/pg {command} {cluster}: {out.stderr.strip()}")
        return out.stdout

    def replica_sql(self, query):
        """As the superuser on the replica (pausing its replay needs it)."""
        return self.pg("psql", "pg-replica", "-At", "-c", query).strip()

    def instance(self, port, method, path):
        return HttpEndpoint(port).request(method, path, timeout=10)

    def metric(self, port, line_prefix):
        """The value of the first metrics line of instance port that starts with line_prefix (0 if none)."""
        text = self.instance(port, "GET", "/metrics").body.decode()
        for line in text.splitlines():
            if line.startswith(line_prefix + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def pid(self, port):
        with open(os.path.join(self.state, f"instance-{port}.pid")) as f:
            return int(f.read())

    def instance_log(self, port):
        with open(os.path.join(self.state, f"instance-{port}.log"), errors="replace") as f:
            return f.read()

    def close(self):
        try:
            subprocess.run(["bash", CLUSTER, "stop", self.state], capture_output=True, timeout=120)
            for port in self.ports:
                check_sanitizers(self.instance_log(port), f"serve on port {port}")
        finally:
            subprocess.run(["bash", CLUSTER, "destroy", self.state], capture_output=True, timeout=120)
            shutil.rmtree(self.state, ignore_errors=True)


def setup():
    cluster = Cluster()
    try:
        a = cluster.agency = Agency(cluster.proxy, "CL")
        cluster.unit = a.unit("CL-REV", "administrative", parent_id=a.top["id"], work_hours={})
        r = cluster.proxy.request("POST", "/v1/offices", {"unit_id": cluster.unit["id"], "name": "Balai Kota",
                                  "geofence": {"type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1],
                                               "radius_m": 100}}, token=a.admin)
        eq(r.status, 201, f"office through nginx: {r}")
        # As harness.make_employee does: the admin's password hash, so harness.ADMIN_PASSWORD logs in.
        cluster.primary.sql("INSERT INTO accounts (username, password_hash, role, unit_id) "
                            "SELECT 'reviewer-cluster', password_hash, 'reviewer', :'unit' FROM accounts "
                            "WHERE username = 'admin'", f"unit={a.top['id']}")
        cluster.reviewer = login(cluster.proxy, "reviewer-cluster", ADMIN_PASSWORD)
    except BaseException:
        cluster.close()
        raise
    return cluster


def teardown(cluster):
    cluster.close()


def listed_ids(cluster):
    r = cluster.proxy.request("GET", f"/v1/violations?unit_id={cluster.unit['id']}&limit=500", token=cluster.reviewer)
    eq(r.status, 200, f"list through nginx: {r}")
    return {v["id"] for v in r.json()["items"]}


@test
def tls_is_verified_against_the_cluster_ca(cluster):
    r = cluster.proxy.request("GET", "/readyz")
    eq(r.status, 200, f"readyz through nginx: {r}")
    check("strict-transport-security" in r.headers, "HSTS on the answers")
    # Without the cluster's CA, the certificate is not trusted.
    conn = http.client.HTTPSConnection("localhost", cluster.https_port, timeout=10,
                                       context=ssl.create_default_context())
    try:
        conn.request("GET", "/readyz")
        raise AssertionError("the self-made certificate was trusted without its CA")
    except ssl.SSLCertVerificationError:
        pass
    finally:
        conn.close()
    eq(cluster.proxy.request("GET", "/metrics").status, 404, "metrics are not served through nginx")


@test
def the_list_reads_the_replica(cluster):
    employee = Phone(cluster.proxy, cluster.primary, cluster.unit["id"])
    eq(cluster.replica_sql("SELECT pg_is_in_recovery()"), "t", "the replica is a standby")
    cluster.replica_sql("SELECT pg_wal_replay_pause()")
    try:
        r = employee.checkin(lat=FAR[0], lon=FAR[1], accuracy=12.5)
        eq(r.status, 201, f"check-in through nginx: {r}")
        flagged = {v["code"]: v["violation_id"] for v in r.json()["violations"]}
        check("OUTSIDE_GEOFENCE" in flagged, f"flagged {flagged}")
        vid = flagged["OUTSIDE_GEOFENCE"]
        eq(cluster.primary.sql("SELECT count(*) FROM violations WHERE id = :'v'", f"v={vid}"), [["1"]],
           "the violation is on the primary")
        # Replay paused: every instance's list, from the replica, does not have it yet.
        for _ in range(4):
            check(vid not in listed_ids(cluster), "a violation listed while the replica's replay was paused")
        eq(cluster.proxy.request("GET", f"/v1/violations/{vid}", token=cluster.reviewer).status, 404,
           "the detail reads the replica too")
    finally:
        cluster.replica_sql("SELECT pg_wal_replay_resume()")
    deadline = time.time() + 15
    while vid not in listed_ids(cluster):
        check(time.time() < deadline, "the violation was not listed 15 s after replay resumed")
        time.sleep(0.2)
    r = cluster.proxy.request("GET", f"/v1/violations/{vid}", token=cluster.reviewer)
    eq(r.status, 200, f"detail through nginx: {r}")
    # A decision is a write: the primary's, and read back there at once (no replication wait).
    r = cluster.proxy.request("POST", f"/v1/violations/{vid}/decision", {"decision": "dismissed", "sanction": None,
                              "note": "in the field", "version": r.json()["version"]}, token=cluster.reviewer)
    eq(r.status, 200, f"decision through nginx: {r}")
    eq(r.json()["status"], "dismissed", "the decision's answer, read on the primary")
    for port in cluster.ports:
        check(cluster.metric(port, 'attendance_db_replica_connects_total{result="attempt"}') >= 1,
              f"the instance on {port} connected to the replica")
        eq(cluster.metric(port, "attendance_db_replica_fallbacks_total"), 0.0,
           f"no replica read of the instance on {port} went to the primary")


@test
def requests_are_spread_over_both_instances(cluster):
    route = 'attendance_http_requests_total{route="GET /v1/violations",status="200"}'
    before = {port: cluster.metric(port, route) for port in cluster.ports}
    for _ in range(10):
        listed_ids(cluster)
    # An instance counts a request when its answer has been sent (MHD's completion callback), a moment
    # after the client has read it: the last list may be counted just after the client asks.
    deadline = time.time() + 3
    while True:
        served = {port: cluster.metric(port, route) - before[port] for port in cluster.ports}
        if sum(served.values()) >= 10 or time.time() > deadline:
            break
        time.sleep(0.05)
    eq(sum(served.values()), 10.0, f"the lists counted by the instances: {served}")
    check(all(n >= 2 for n in served.values()), f"both instances served lists: {served}")
    with open(os.path.join(cluster.state, "nginx", "access.log")) as f:
        records = [json.loads(line) for line in f]
    upstreams = {r["upstream"] for r in records if r["uri"] == "/v1/violations"}
    eq(upstreams, {f"127.0.0.1:{port}" for port in cluster.ports}, "the access log (JSON) names both instances")
    ids = {r["request_id"] for r in records if r["uri"] == "/v1/violations"}
    logged = {json.loads(line).get("request_id") for port in cluster.ports
              for line in cluster.instance_log(port).splitlines() if line.startswith("{")}
    check(ids <= logged, "nginx's request ids are the ones the instances log")


@test
def one_instance_stopped_the_service_answers(cluster):
    stopped = cluster.ports[0]
    os.kill(cluster.pid(stopped), signal.SIGTERM)
    deadline = time.time() + 20
    while True:
        try:
            cluster.instance(stopped, "GET", "/healthz")
        except OSError:
            break
        check(time.time() < deadline, "the instance did not stop")
        time.sleep(0.1)
    for _ in range(6):
        listed_ids(cluster)  # GET: passed on to the other instance when the first is refused
        r = cluster.proxy.request("POST", "/v1/auth/login", {"username": "reviewer-cluster",
                                                             "password": ADMIN_PASSWORD})
        eq(r.status, 200, f"login (a POST, not yet sent when the connection is refused) through nginx: {r}")
    deadline = time.time() + 30  # the instance finishes what it had in flight, then exits
    while True:
        status = subprocess.run(["bash", CLUSTER, "status", cluster.state], capture_output=True, text=True,
                                timeout=60)
        if status.returncode != 0 or time.time() > deadline:
            break
        time.sleep(0.2)
    eq(status.returncode, 3, "status says not everything runs")
    check(f"instance 127.0.0.1:{stopped}: stopped" in status.stdout, f"status names the stopped one: {status.stdout}")
