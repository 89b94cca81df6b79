"""Running it from a fresh checkout (CONTRACT.md): serve makes the directory it writes, or refuses to start naming
it; /readyz fails while the selfie store cannot be written to."""
import os
import shutil
import stat
import subprocess
import tempfile

from harness import (ADMIN_PASSWORD, ADMIN_USER, SVC, Agency, Database, Failure, Phone, Service, base_env, check,
                     eq, free_port, jpeg, log_records, run_svc, test)


@test
def serve_in_a_fresh_checkout_makes_the_selfie_store_and_takes_selfies_at_once(env=None):
    db = Database()
    checkout = tempfile.mkdtemp(prefix="checkout-")
    svc = None
    try:
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, "\n".join(lines[-5:]))
        # Only the settings of "Running it": the selfie store is the default, var/selfies under the checkout.
        env = base_env(db.url, ATTENDANCE_LISTEN=f"127.0.0.1:{free_port()}",
                       ATTENDANCE_BOOTSTRAP_ADMIN=f"{ADMIN_USER}:{ADMIN_PASSWORD}")
        env.pop("ATTENDANCE_SELFIE_DIR", None)
        svc = StartedIn(checkout, env)
        store = os.path.join(checkout, "var", "selfies")
        check(os.path.isdir(store), "var/selfies was made")
        eq(stat.S_IMODE(os.stat(store).st_mode) & 0o007, 0, f"no access for others: {oct(os.stat(store).st_mode)}")
        eq(svc.request("GET", "/readyz").status, 200, "ready")
        phone = Phone(svc, db, Agency(svc).unit_a["id"])
        r = phone.checkin(selfie=jpeg(), mode="WFH")
        eq(r.status, 201, f"a check-in with a selfie at once ({r})")
        eq(len(os.listdir(store)), 1, "its selfie stored")
        # The store taken away while serving: not ready, and check-ins with selfies are a clear 503.
        shutil.rmtree(store)
        r = svc.request("GET", "/readyz")
        eq((r.status, r.error_code()), (503, "storage_unavailable"), "readyz without the store")
        check("ATTENDANCE_SELFIE_DIR" in r.json()["error"]["message"], f"names the setting: {r}")
        os.makedirs(store)
        eq(svc.request("GET", "/readyz").status, 200, "ready again once it is back")
    finally:
        if svc:
            svc.close()
        shutil.rmtree(checkout, ignore_errors=True)
        db.drop()


@test
def a_selfie_store_that_cannot_be_made_stops_serve_with_a_line_naming_it(env=None):
    db = Database()
    blocker = tempfile.NamedTemporaryFile(prefix="not-a-dir-", delete=False)
    try:
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, "migrate")
        store = os.path.join(blocker.name, "selfies")
        code, lines = run_svc(["serve"], base_env(db.url, ATTENDANCE_SELFIE_DIR=store,
                                                  ATTENDANCE_LISTEN=f"127.0.0.1:{free_port()}"), timeout=30)
        check(code != 0, "serve refuses to start")
        named = [r for r in log_records(lines) if r.get("dir") == store]
        check(named and named[0]["level"] == "error", f"one error line names the directory: {lines[-5:]}")
    finally:
        os.unlink(blocker.name)
        db.drop()


class StartedIn(Service):
    """attendance-svc serve with env as given, its working directory cwd (a checkout)."""

    def __init__(self, cwd, env):
        self.port = int(env["ATTENDANCE_LISTEN"].rsplit(":", 1)[1])
        self.tls_context = None
        self.env = env
        self.log = tempfile.NamedTemporaryFile(prefix="svc-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([SVC, "serve"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=self.log)
        try:
            self.wait_ready()
        except RuntimeError as e:
            raise Failure(str(e))
