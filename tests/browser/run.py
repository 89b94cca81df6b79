#!/usr/bin/env python3
"""
The browser tests of the console and of the employee's app: a throwaway database (the integration harness's
Database and Service), the scenario's agency made through the API and the
phone's signed check-ins (harness.Phone), then console.test.mjs driving
Debian's chromium headless through playwright-core. Prints TAP, one line per
step, ending with the plan.

    tests/browser/run.py            run the console's scenario (npm ci first if node_modules is missing)
    tests/browser/run.py --app      run the employee's app's scenario (app.test.mjs) instead
    tests/browser/run.py --serve    seed, print the logins and keep serving (Ctrl-C stops; with --app too)

The screenshots go to a temporary directory, or with SCREENSHOTS=1 to docs/screenshots
(SCREENSHOT_DIR names another). Needs ATTENDANCE_TEST_DATABASE_URL as the integration
suite does (tests/run sets it).
"""
import datetime
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import (ADMIN_PASSWORD, ADMIN_USER, REPO, Agency, Phone, admin_env, base_env, check, make_staff,  # noqa: E402
                     npm_ci, run_svc)

BALAI_KOTA = (-6.1818, 106.8283)
FAR = (BALAI_KOTA[0] + 350 / 111195.0, BALAI_KOTA[1] + 120 / 110574.0)  # about 370 m from the office
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LETTER = b"%PDF-1.4\n% surat keterangan dokter\n%%EOF\n"


def png(width=96, height=120, wall=230):
    """A small real PNG (a figure in a uniform on a plain wall), so the selfie shows as a picture; each wall
    a photo of its own (the same bytes twice are SELFIE_REUSED)."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            dx, head, body = x - width / 2, (x - width / 2) ** 2 + (y - 38) ** 2 < 18 ** 2, y > 60 and abs(x - width / 2) < 34
            if head:
                row += bytes((224, 178, 140))
            elif body:
                row += bytes((196, 160, 90)) if abs(dx) > 4 else bytes((250, 250, 250))
            else:
                row += bytes((200, 215, wall))
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def nightly_runs(env, work):
    """Two runs of yesterday's nightly job for the exports page: one written, one whose upload found no receiver."""
    key = os.path.join(work, "export.key")
    code, lines = run_svc(["export-keygen", "--out", key], base_env(env.db.url))
    check(code == 0, f"export-keygen: {lines[-3:]}")
    vars = base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=key, ATTENDANCE_EXPORT_UPLOAD_TRIES="1")
    yesterday = str(datetime.date.today() - datetime.timedelta(days=1))
    code, lines = run_svc(["nightly", "--date", yesterday, "--out", os.path.join(work, "out")], vars, timeout=120)
    check(code == 0, f"nightly: {lines[-3:]}")
    code, _ = run_svc(["nightly", "--date", yesterday, "--out", os.path.join(work, "again"), "--upload",
                       "http://127.0.0.1:9/inbox/"], vars, timeout=120)
    check(code != 0, "an upload to the discard port fails")


def seed(env, work):
    """The scenario's agency and export runs; returns the settings console.test.mjs reads."""
    a = Agency(env.svc, prefix="BKD")
    env.db.sql("UPDATE units SET name = 'Pemprov DKI Jakarta' WHERE id = :'u'", f"u={a.top['id']}")
    # Every day a work day of 07:30-16:00: the unit's day shows its hours whichever day the suite runs (the default
    # week's Saturday, in WIB, said "bukan hari kerja" and failed it).
    unit = a.unit("BKD-KEP", "administrative", parent_id=a.top["id"],
                  work_hours={d: ["07:30", "16:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    env.db.sql("UPDATE units SET name = 'Bidang Kepegawaian' WHERE id = :'u'", f"u={unit['id']}")
    r = env.svc.request("POST", "/v1/offices", {"unit_id": unit["id"], "name": "Balai Kota", "code": "BKD-GERBANG",
                                                "geofence": {"type": "circle", "lat": BALAI_KOTA[0],
                                                             "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    office_id = r.json()["id"]
    make_staff(env, "reviewer", a.top["id"], username="reviewer.satu")
    make_staff(env, "reviewer", a.top["id"], username="reviewer.dua")
    make_staff(env, "supervisor", unit["id"], username="supervisor.kep")
    violations, phones = [], []
    for i, name in enumerate(("Siti Rahmawati", "Budi Santoso", "Dewi Lestari")):
        phone = Phone(env.svc, env.db, unit["id"])
        phones.append(phone)
        env.db.sql("UPDATE employees SET name = :'n' WHERE id = :'e'", f"n={name}", f"e={phone.employee_id}")
        r = phone.checkin(lat=FAR[0], lon=FAR[1], accuracy=25.0, selfie=png(wall=230 - i))
        check(r.status == 201, f"check-in: {r}")
        flagged = {v["code"]: v["violation_id"] for v in r.json()["violations"]}
        check("OUTSIDE_GEOFENCE" in flagged, f"flagged {flagged}")
        violations.append({"id": flagged["OUTSIDE_GEOFENCE"], "employee": name, "employee_id": str(phone.employee_id),
                           "nip": phone.nip})
    # Budi's arrival today from the paper register at the door (his phone's "in" was outside): the unit's day
    # says where the time came from.
    budi = env.db.sql("SELECT nip FROM employees WHERE id = :'e'", f"e={violations[1]['employee_id']}")[0][0]
    at = (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))) - datetime.timedelta(minutes=1))
    r = env.svc.request("POST", "/v1/checkins/import", f"nip,type,time,office_code,source\n{budi},in,"
                        f"{at.strftime('%Y-%m-%dT%H:%M:%S+07:00')},BKD-GERBANG,paper\n".encode(),
                        headers={"Content-Type": "text/csv"}, token=a.admin)
    check(r.status == 200 and r.json()["created"] == 1, f"the register's record: {r}")
    # A violation of another kind, so that the code filter has something to leave out.
    absent = env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code, status) VALUES (:'e', :'u', :'d',"
                        " 'ABSENT', 'pending') RETURNING id", f"e={violations[0]['employee_id']}", f"u={unit['id']}",
                        f"d={datetime.date.today() - datetime.timedelta(days=1)}")[0][0]
    # Siti explains her absence; Dewi asks for two days of sick leave with her doctor's letter.
    r = env.svc.request("POST", f"/v1/violations/{absent}/explanation", {"text": "Ban motor bocor di jalan tol."},
                        token=phones[0].token)
    check(r.status == 200, f"explanation: {r}")
    days = [datetime.date.today() - datetime.timedelta(days=n) for n in range(1, 8)]
    first, last = sorted([d for d in days if d.weekday() < 5][:2])
    r = env.svc.request("POST", "/v1/leave", {"kind": "cuti_sakit", "from": str(first), "to": str(last),
                                              "reason": "Demam berdarah"}, token=phones[2].token)
    check(r.status == 201, f"leave: {r}")
    leave_id = r.json()["leave_id"]
    r = env.svc.request("PUT", f"/v1/leave/{leave_id}/attachment", LETTER, headers={"Content-Type": "application/pdf"},
                        token=phones[2].token)
    check(r.status == 200, f"letter: {r}")
    nightly_runs(env, work)
    return {"url": f"http://127.0.0.1:{env.svc.port}", "password": ADMIN_PASSWORD, "unit_id": unit["id"],
            "violations": violations, "reviewer": "reviewer.satu", "reviewer2": "reviewer.dua",
            "supervisor": "supervisor.kep", "absent_id": str(absent), "leave_id": leave_id, "leave_from": str(first),
            "admin": ADMIN_USER, "office_id": office_id}


def hours_not_late_now():
    """A week whose every day starts two hours from now in Jakarta (at the latest 23:50, which the unit's 240
    minutes of grace cover), so that the app's check-ins are not late whenever the suite runs: the default week
    made them LATE_ARRIVAL from 07:30 WIB on."""
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7)))  # WIB: no daylight saving
    start = min(now.hour * 60 + now.minute + 120, 23 * 60 + 50)
    end = min(start + 240, 23 * 60 + 59)
    day = [f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"]
    return {d: day for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def seed_app(env):
    """The employee's app's scenario (app.test.mjs): a unit with its office at Balai Kota and the office's kiosk,
    whose policy asks for a selfie at the office too, and a new employee whose password the admin set (so it must
    be changed)."""
    a = Agency(env.svc, prefix="APP")
    unit = a.unit("APP-KEP", "administrative", parent_id=a.top["id"], work_hours=hours_not_late_now(),
                  grace_minutes=240)
    r = env.svc.request("POST", "/v1/offices", {"unit_id": unit["id"], "name": "Balai Kota", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    today = datetime.date.today()
    r = env.svc.request("POST", "/v1/policies", {"name": "Swafoto WFO dan WFH", "starts_on": str(today - datetime.timedelta(days=7)),
                                                 "ends_on": str(today + datetime.timedelta(days=7)),
                                                 "applies_to": ["administrative"], "unit_id": unit["id"],
                                                 "max_wfh_percent": 50, "selfie_required_for": ["WFH", "WFO"]},
                        token=a.admin)
    check(r.status == 201, f"policy: {r}")
    office = r.json()["id"]
    r = env.svc.request("POST", f"/v1/offices/{office}/kiosks", {"label": "Lobi Balai Kota"}, token=a.admin)
    check(r.status == 201, f"kiosk: {r}")
    kiosk = r.json()
    nip = "19900101" + "".join(random.choice("0123456789") for _ in range(10))
    r = env.svc.request("POST", "/v1/employees", {"nip": nip, "name": "Rina Wulandari", "unit_id": unit["id"],
                                                  "password": "Sementara-2026"}, token=a.admin)
    check(r.status == 201, f"employee: {r}")
    return {"url": f"http://127.0.0.1:{env.svc.port}", "nip": nip, "password": "Sementara-2026",
            "new_password": "Kopi-tubruk-pagi-7", "office": BALAI_KOTA, "far": FAR,
            "home": (BALAI_KOTA[0] - 0.05, BALAI_KOTA[1] + 0.03), "kiosk": kiosk, "office_id": office}


def missing_tools():
    """What the suite lacks, in one line, or None."""
    if not shutil.which("node"):
        return "node is not installed (deploy/install-deps --test installs it)"
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not there (deploy/install-deps --test installs chromium)"
    error = npm_ci(HERE, "axe-core")  # the newest of its packages
    return f"npm packages: {error}" if error else None


def main(argv):
    missing = missing_tools()
    if missing:
        print(f"not ok 1 - browser: {missing}")
        print("1..1")
        return 1
    app = "--app" in argv  # the employee's app (app.test.mjs), else the console (console.test.mjs)
    env = admin_env()
    work = tempfile.mkdtemp(prefix="console-exports-")
    try:
        settings = seed_app(env) if app else seed(env, work)
        if "--serve" in argv:
            print(f"app: {settings['url']}/app/  {settings['nip']} / {settings['password']}" if app else
                  f"console: {settings['url']}/console/  reviewer.satu / {ADMIN_PASSWORD}", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
        # The tracked pictures change only when asked: a test run leaves the tree as it was.
        shots = os.environ.get("SCREENSHOT_DIR") or (os.path.join(REPO, "docs", "screenshots")
                                                     if os.environ.get("SCREENSHOTS") == "1"
                                                     else os.path.join(work, "screenshots"))
        os.makedirs(shots, exist_ok=True)
        child_env = dict(os.environ, CONSOLE_TEST=json.dumps(settings), SCREENSHOT_DIR=shots, CHROMIUM=CHROMIUM)
        script = "app.test.mjs" if app else "console.test.mjs"
        out = subprocess.run(["node", os.path.join(HERE, script)], env=child_env, timeout=300)
        return out.returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)
        env.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
