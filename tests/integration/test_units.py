"""
The systemd units of deploy/systemd, checked by systemd-analyze (systemd is
installed, not running): verify finds nothing wrong, and the API's and the
nightly job's hardening keeps their exposure low. The units name the installed
binary; here they are checked on copies naming the one built.
"""
import os
import re
import shutil
import subprocess
import tempfile

from harness import REPO, SVC, check, eq, test

UNITS = os.path.join(REPO, "deploy", "systemd")
ANALYZE = shutil.which("systemd-analyze")


def copies():
    out = tempfile.mkdtemp(prefix="units-")
    for name in os.listdir(UNITS):
        if name.endswith((".service", ".timer")):
            with open(os.path.join(UNITS, name)) as f:
                text = f.read().replace("/usr/local/bin/attendance-svc", os.path.abspath(SVC))
            with open(os.path.join(out, name), "w") as f:
                f.write(text)
    return out


@test
def units_verify():
    check(ANALYZE, "systemd-analyze is missing (deploy/install-deps installs systemd's tools)")
    out = copies()
    try:
        units = ["attendance@8081.service", "attendance-nightly.service", "attendance-nightly.timer"]
        for u in units[1:]:
            check(os.path.exists(os.path.join(out, u)), f"{u} exists")
        r = subprocess.run([ANALYZE, "verify"] + [os.path.join(out, u) for u in units], capture_output=True,
                           text=True, timeout=60, cwd=out)
        eq((r.returncode, r.stdout + r.stderr), (0, ""), "systemd-analyze verify")
    finally:
        shutil.rmtree(out)


@test
def units_are_hardened():
    check(ANALYZE, "systemd-analyze is missing")
    out = copies()
    try:
        for unit in ("attendance@8081.service", "attendance-nightly.service"):
            r = subprocess.run([ANALYZE, "security", "--offline=yes", os.path.join(out, unit)], capture_output=True,
                               text=True, timeout=60, cwd=out)
            m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
            check(m, f"no exposure level for {unit}: {r.stdout[-500:]} {r.stderr[-500:]}")
            check(float(m.group(1)) <= 2.0, f"{unit} is exposed at {m.group(1)} (want at most 2.0)")
        with open(os.path.join(UNITS, "attendance@.service")) as f:
            text = f.read()
        for line in ("Type=notify", "WatchdogSec=", "ProtectSystem=strict", "NoNewPrivileges=yes",
                     "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service", "StateDirectory=attendance",
                     "Environment=ATTENDANCE_LISTEN=127.0.0.1:%i"):
            check(line in text, f"attendance@.service has {line!r}")
    finally:
        shutil.rmtree(out)
