"""
The service manager's notifications (attendance-svc/notify.c): the test plays
systemd, binding the unix datagram socket that NOTIFY_SOCKET names and reading
what the service sends: READY=1 once it listens, WATCHDOG=1 while /healthz
answers (at half of WATCHDOG_USEC), STOPPING=1 on SIGTERM; nothing of it when
NOTIFY_SOCKET is unset.
"""
import os
import signal
import socket
import tempfile
import time

from harness import Database, Service, check, eq, test


class NotifySocket:
    """A bound unix datagram socket, as systemd's NOTIFY_SOCKET."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="notify-")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []

    def read(self, until, timeout):
        """Collects messages until one contains `until` (returned) or timeout passes (None)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                data = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            self.messages.append(data)
            if until in data.split("\n"):
                return data
        return None

    def close(self):
        self.sock.close()
        os.unlink(self.path)
        os.rmdir(self.dir)


@test
def notify_ready_watchdog_stopping():
    db = Database()
    notify = NotifySocket()
    svc = None
    try:
        # 1 s of watchdog: a ping each half second while /healthz answers.
        svc = Service(db.url, NOTIFY_SOCKET=notify.path, WATCHDOG_USEC=1000000)
        ready = notify.read("READY=1", 10)
        check(ready is not None, f"no READY=1 (got {notify.messages})")
        check(f"STATUS=serving on 127.0.0.1:{svc.port}" in ready, f"READY without the address: {ready!r}")
        # Pings keep coming; the first READY already came after the listen (the harness saw /healthz answer).
        started = time.time()
        pings = 0
        while time.time() - started < 2.2:
            if notify.read("WATCHDOG=1", 2.5 - (time.time() - started)):
                pings += 1
        check(3 <= pings <= 6, f"expected a WATCHDOG=1 about every 0.5 s for 2.2 s, got {pings}")
        # The probe's log line is written when its request completes, which may be just after the ping.
        settled = time.time() + 2
        while True:
            probes = [r for r in svc.log_records() if r.get("request_id") == "watchdog-probe"]
            if len(probes) >= pings or time.time() > settled:
                break
            time.sleep(0.05)
        check(len(probes) >= pings, f"each ping follows a /healthz probe: {len(probes)} probes, {pings} pings")
        check(all(r.get("route") == "/healthz" and r.get("status") == 200 for r in probes), "the probes ask /healthz")

        # A stopped event loop (SIGSTOP) answers nothing: no pings then.
        svc.proc.send_signal(signal.SIGSTOP)
        notify.messages.clear()
        silent = notify.read("WATCHDOG=1", 1.5)
        svc.proc.send_signal(signal.SIGCONT)
        check(silent is None, f"pings while the process was stopped: {notify.messages}")
        check(notify.read("WATCHDOG=1", 3) is not None, "pings resume once the process runs again")

        svc.proc.send_signal(signal.SIGTERM)
        check(notify.read("STOPPING=1", 10) is not None, f"no STOPPING=1 on SIGTERM (got {notify.messages})")
        eq(svc.stop(), 0, "exit status after SIGTERM")
        svc.close()
        svc = None
    finally:
        if svc:
            svc.stop(signal.SIGKILL)
        notify.close()
        db.drop()


@test
def notify_is_a_noop_without_socket():
    """Without NOTIFY_SOCKET (a shell, deploy/run) the service serves and stops as before, WATCHDOG_USEC or not."""
    db = Database()
    try:
        svc = Service(db.url, WATCHDOG_USEC=1000000)
        eq(svc.request("GET", "/healthz").status, 200, "healthz")
        time.sleep(1.2)
        eq(svc.stop(), 0, "exit status after SIGTERM")
        records = svc.log_records()
        check(any(r.get("msg") == "http: stopped" for r in records), "the service logged its stop")
        check(not any(r.get("request_id") == "watchdog-probe" for r in records),
              "no watchdog probes when no service manager listens")
        svc.close()
    finally:
        db.drop()
