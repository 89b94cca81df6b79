"""attendance-svc nightly, export-keygen and verify-export: a known day of a small agency, byte for byte."""
import base64
import csv
import hashlib
import http.server
import io
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import subprocess
import threading

from harness import (BELIEVE_PHONES, SVC, Agency, Phone, admin_env, base_env, check, check_sanitizers, eq, jpeg,
                     log_records, make_staff, run_svc, test)

import nacl.signing

DAY = "2023-09-04"  # a Monday, in the ASEAN summit week of SE Sekda DKI 34/2023
OFFICE = (-6.1818, 106.8283)
EKO_HOME = (-6.2500, 106.8000)
EKO_AWAY = (-6.2300, 106.8000)  # about 2.2 km north of his home
GITA_HOME = (-8.6705, 115.2126)
BUDI_NAME = 'Budi, "Bud"\nSantoso'  # a comma, quotes and a line break: all quoted in the CSV

ATTENDANCE_HEADER = ("nip,name,unit_code,mode,first_in,last_out,late_minutes,early_minutes,"
                     "selfie_attached,inside_geofence,presence,violations,leave\r\n")
UNITS_HEADER = "unit_code,headcount,wfo,wfh,absent,wfh_percent,cap_percent,over_cap\r\n"
VIOLATIONS_HEADER = "violation_id,nip,unit_code,code,checkin_id,evidence,status,sanction,note,decided_by,decided_at\r\n"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keygen(path, env_vars):
    """export-keygen, with its stdout (the public key) and stderr."""
    out = subprocess.run([SVC, "export-keygen", "--out", path], env=env_vars, capture_output=True, text=True,
                         timeout=60)
    check_sanitizers(out.stderr, "export-keygen")
    return out.returncode, out.stdout, out.stderr


def setup():
    env = admin_env()
    svc, db = env.svc, env.db
    # EXP-TOP, EXP-A (administrative), EXP-B (direct_service); their phones' times of 2023 believed.
    a = env.agency = Agency(svc, prefix="EXP", **BELIEVE_PHONES)
    env.unit_c = a.unit("EXP-C", "administrative", timezone="Asia/Makassar", parent_id=a.top["id"], **BELIEVE_PHONES)
    r = svc.request("POST", "/v1/offices", {"unit_id": a.unit_a["id"], "name": "Balai Kota", "geofence": {
        "type": "circle", "lat": OFFICE[0], "lon": OFFICE[1], "radius_m": 150}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    r = svc.request("POST", "/v1/policies", {
        "name": "SE Sekda DKI 34/2023", "starts_on": "2023-08-21", "ends_on": "2023-10-21",
        "applies_to": ["administrative"], "max_wfh_percent": 50, "selfie_required_for": ["WFH"]}, token=a.admin)
    check(r.status == 201, f"policy: {r}")

    def person(unit, nip, name, roster=None, home=None, joined="2023-01-02T00:00:00+07:00"):
        p = Phone(svc, db, unit["id"], nip=nip)
        db.sql("UPDATE employees SET name = :'name' WHERE id = :'id'", f"name={name}", f"id={p.employee_id}")
        # A member of the unit since joined (the test made it today).
        db.sql("UPDATE employee_units SET valid_from = :'t' WHERE employee_id = :'id'",
               f"t={joined}", f"id={p.employee_id}")
        if roster:
            db.sql("INSERT INTO roster_entries (employee_id, day, unit_id, mode) VALUES (:'e', :'d', :'u', :'m')",
                   f"e={p.employee_id}", f"d={DAY}", f"u={unit['id']}", f"m={roster}")
        if home:
            db.sql("INSERT INTO homes (employee_id, lat, lon, address, status, approved_at) "
                   "VALUES (:'e', :'lat', :'lon', 'Jl. Test', 'approved', now())",
                   f"e={p.employee_id}", f"lat={home[0]}", f"lon={home[1]}")
        return p

    def checkin(p, local, type, mode="WFO", at=OFFICE, offset="+07:00", selfie=None):
        r = p.checkin(type=type, mode=mode, lat=at[0], lon=at[1], captured_at=f"{DAY}T{local}{offset}",
                      selfie=selfie)
        check(r.status == 201, f"check-in {p.nip} {local}: {r}")
        return r.json()

    # EXP-A: on time; late and early (twice: the last "out" counts); absent; WFH outside home without a selfie.
    siti = person(a.unit_a, "198001012000012001", "Siti Aminah")
    checkin(siti, "07:25:00", "in")
    checkin(siti, "16:05:00", "out")
    budi = person(a.unit_a, "198001012000012002", BUDI_NAME)
    checkin(budi, "07:47:30", "in")
    checkin(budi, "12:00:00", "out")
    checkin(budi, "15:30:00", "out")
    person(a.unit_a, "198001012000012003", "Dewi Lestari")  # absent: the nightly's closure flags it
    eko = person(a.unit_a, "198001012000012004", "Eko Prasetyo", roster="WFH", home=EKO_HOME)
    env.eko_in = checkin(eko, "07:20:00", "in", mode="WFH", at=EKO_AWAY)
    # EXP-B (direct_service, WFO-only): nobody checked in, and no closure ran.
    person(a.unit_b, "198001012000012005", "Fajar Nugroho")
    # EXP-C (WITA, UTC+8): both rostered WFH, over the 50% cap; one at home with selfies.
    gita = person(env.unit_c, "198001012000012006", "Gita Ayu", roster="WFH", home=GITA_HOME)
    checkin(gita, "07:10:00", "in", mode="WFH", at=GITA_HOME, offset="+08:00", selfie=jpeg())
    checkin(gita, "16:30:00", "out", mode="WFH", at=GITA_HOME, offset="+08:00", selfie=jpeg())
    person(env.unit_c, "198001012000012007", "Hadi Susanto", roster="WFH")
    # Joined the day after: in none of the day's files.
    person(a.unit_a, "198001012000012008", "Indah Permata", joined="2023-09-05T00:00:00+07:00")
    env.reviewer = make_staff(env, "reviewer", a.top["id"], username="exp-reviewer")

    env.work = tempfile.mkdtemp(prefix="export-")
    env.key_file = os.path.join(env.work, "export.key")
    code, out, err = keygen(env.key_file, base_env(db.url))
    check(code == 0, f"export-keygen: {err}")
    env.public_key = out.strip()
    return env


def teardown(env):
    shutil.rmtree(env.work, ignore_errors=True)
    env.close()


def nightly(env, out_dir, *extra, **settings):
    vars = base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=env.key_file, **settings)
    return run_svc(["nightly", "--date", DAY, "--out", out_dir] + list(extra), vars, timeout=120)


def export(env, name):
    out_dir = os.path.join(env.work, name)
    code, lines = nightly(env, out_dir)
    check(code == 0, f"nightly exited {code}: {lines[-5:]}")
    return out_dir


def read(out_dir, name):
    with open(os.path.join(out_dir, name), "rb") as f:
        return f.read()


def names():
    return [f"attendance_{DAY}.csv", f"units_{DAY}.csv", f"violations_{DAY}.csv", f"cases_{DAY}.csv",
            f"manifest_{DAY}.json"]


@test
def the_known_day_is_exported_byte_for_byte(env):
    out_dir = export(env, "known")
    eq(sorted(os.listdir(out_dir)), sorted(names()), "the five files and nothing else (no temporary file left)")
    want = (ATTENDANCE_HEADER
            + "198001012000012001,Siti Aminah,EXP-A,WFO,2023-09-04T07:25:00+07:00,2023-09-04T16:05:00+07:00,"
              "0,0,false,true,gps,LATE_SYNC,\r\n"
            + '198001012000012002,"Budi, ""Bud""\nSantoso",EXP-A,WFO,2023-09-04T07:47:30+07:00,'
              "2023-09-04T15:30:00+07:00,17,30,false,true,gps,EARLY_DEPARTURE;LATE_ARRIVAL;LATE_SYNC,\r\n"
            + "198001012000012003,Dewi Lestari,EXP-A,WFO,,,0,0,,,,ABSENT,\r\n"
            # The nightly closes the day first: Eko's only "in", outside its home, is no arrival (ABSENT);
            # Fajar and Hadi are absent too (a WFH day needs its check-in as well). Indah, who joined the day
            # after, is not listed.
            + "198001012000012004,Eko Prasetyo,EXP-A,WFH,,,0,0,false,false,,"
              "ABSENT;LATE_SYNC;NO_SELFIE;OUTSIDE_HOME,\r\n"
            + "198001012000012005,Fajar Nugroho,EXP-B,WFO,,,0,0,,,,ABSENT,\r\n"
            + "198001012000012006,Gita Ayu,EXP-C,WFH,2023-09-04T07:10:00+08:00,2023-09-04T16:30:00+08:00,"
              "0,0,true,true,gps,LATE_SYNC,\r\n"
            + "198001012000012007,Hadi Susanto,EXP-C,WFH,,,0,0,,,,ABSENT,\r\n")
    eq(read(out_dir, f"attendance_{DAY}.csv").decode(), want, "attendance file")
    want = (UNITS_HEADER
            + "EXP-A,4,3,1,2,25.00,50,false\r\n"
            + "EXP-B,1,1,0,1,0.00,0,false\r\n"       # direct_service, not named by the policy: WFO only
            + "EXP-C,2,0,2,1,100.00,50,true\r\n"     # 2 at home where 50% of 2 allows 1
            + "EXP-TOP,0,0,0,0,0.00,50,false\r\n")
    eq(read(out_dir, f"units_{DAY}.csv").decode(), want, "units file")


@test
def every_violation_of_the_day_is_listed_with_its_status(env):
    out_dir = export(env, "violations")
    text = read(out_dir, f"violations_{DAY}.csv").decode()
    check(text.startswith(VIOLATIONS_HEADER), f"header: {text[:100]!r}")
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    stored = env.db.sql("SELECT v.id, e.nip, v.code, coalesce(v.checkin_id::text, ''), v.status "
                        "FROM violations v JOIN employees e ON e.id = v.employee_id WHERE v.day = :'d' ORDER BY v.id",
                        f"d={DAY}")
    eq([[r[0], r[1], r[3], r[4], r[6]] for r in rows], stored, "one row per violation, by id")
    got = sorted((r[1][-2:], r[3]) for r in rows)
    want = sorted([("01", "LATE_SYNC"), ("01", "LATE_SYNC"), ("02", "LATE_SYNC"), ("02", "LATE_ARRIVAL"),
                   ("02", "LATE_SYNC"), ("02", "EARLY_DEPARTURE"), ("02", "LATE_SYNC"), ("02", "EARLY_DEPARTURE"),
                   ("03", "ABSENT"), ("04", "OUTSIDE_HOME"), ("04", "NO_SELFIE"), ("04", "LATE_SYNC"),
                   ("04", "ABSENT"), ("05", "ABSENT"),
                   ("06", "LATE_SYNC"), ("06", "LATE_SYNC"), ("07", "ABSENT")])
    eq(got, want, "(employee, code) pairs")
    absent = {r[1][-2:]: r for r in rows if r[3] == "ABSENT"}
    eq((absent["03"][4], json.loads(absent["03"][5])), ("", {"work_hours": ["07:30", "16:00"]}), "the closure's row")
    late = [r for r in rows if r[3] == "LATE_ARRIVAL"][0]
    eq(json.loads(late[5])["late_minutes"], 17, "evidence as stored")
    eq({r[2] for r in rows}, {"EXP-A", "EXP-B", "EXP-C"}, "unit codes")
    eq({tuple(r[7:]) for r in rows}, {("", "", "", "")}, "no decision yet")

    # A decision, then its revision, show in the next export: the one in force.
    eko_outside = [v["violation_id"] for v in env.eko_in["violations"] if v["code"] == "OUTSIDE_HOME"][0]

    def decide(version, decision, sanction, note):
        r = env.svc.request("POST", f"/v1/violations/{eko_outside}/decision", {
            "decision": decision, "sanction": sanction, "note": note, "version": version}, token=env.reviewer)
        eq(r.status, 200, f"decision: {r}")
        again = csv.reader(io.StringIO(read(export(env, f"decided-{version}"), f"violations_{DAY}.csv").decode(),
                                       newline=""))
        return [r[6:] for r in again if r[0] == eko_outside][0]

    row = decide(1, "confirmed", None, 'di luar rumah, "2 km"\nlihat foto')
    eq(row[:4], ["confirmed", "", 'di luar rumah, "2 km"\nlihat foto', "exp-reviewer"], "confirmed")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", row[4]), f"decided_at, WIB: {row[4]!r}")
    eq(decide(2, "dismissed", None, "")[:4], ["dismissed", "", "", "exp-reviewer"], "the revision in force")


@test
def a_second_run_gives_the_same_bytes(env):
    first, second = export(env, "run1"), export(env, "run2")
    for name in names():
        eq(read(second, name), read(first, name), name)
    # Again into the same directory: the files are replaced whole.
    export(env, "run1")
    for name in names():
        eq(read(first, name), read(second, name), name + " rewritten")
    eq(sorted(os.listdir(first)), sorted(names()), "no temporary file left")


@test
def fields_with_commas_quotes_and_line_breaks_round_trip(env):
    out_dir = export(env, "roundtrip")
    text = read(out_dir, f"attendance_{DAY}.csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    eq(rows[0], ATTENDANCE_HEADER.strip().split(","), "header")
    eq(len(rows), 8, "a header and seven employees: the line break inside a name is no new row")
    eq(rows[2][1], BUDI_NAME, "the name read back")
    eq({len(r) for r in rows}, {13}, "thirteen fields in every row")
    manifest = json.loads(read(out_dir, f"manifest_{DAY}.json"))
    eq([f["rows"] for f in manifest["files"]], [7, 4, 17, 0], "rows in the manifest (header not counted)")


@test
def fields_a_spreadsheet_would_evaluate_get_a_leading_quote(env):
    """OWASP's CSV injection: a name that begins with =, +, -, @, a tab or a CR is written as text."""
    names = {"198001012000012003": "=HYPERLINK(\"http://evil\",\"Dewi\")", "198001012000012005": "@Fajar",
             "198001012000012007": "\tHadi"}
    before = dict(env.db.sql("SELECT nip, name FROM employees WHERE nip IN ('198001012000012003', "
                             "'198001012000012005', '198001012000012007')"))
    try:
        for nip, name in names.items():
            env.db.sql("UPDATE employees SET name = :'n' WHERE nip = :'p'", f"n={name}", f"p={nip}")
        text = read(export(env, "formulas"), f"attendance_{DAY}.csv").decode()
    finally:
        for nip, name in before.items():
            env.db.sql("UPDATE employees SET name = :'n' WHERE nip = :'p'", f"n={name}", f"p={nip}")
    check('198001012000012003,"\'=HYPERLINK(""http://evil"",""Dewi"")",EXP-A,' in text, f"the formula as text: {text}")
    check("198001012000012005,'@Fajar,EXP-B," in text, f"an @: {text}")
    check("198001012000012007,'\tHadi,EXP-C," in text, f"a tab: {text}")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    eq(sorted(r[1] for r in rows if r[0] in names), sorted("'" + n for n in names.values()), "read back as text")


@test
def the_manifest_is_signed_over_its_documented_canonical_form(env):
    out_dir = export(env, "manifest")
    raw = read(out_dir, f"manifest_{DAY}.json")
    manifest = json.loads(raw)
    eq(raw, json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode() + b"\n", "the file's form")
    eq(sorted(manifest), ["audit_head", "date", "files", "format", "public_key", "signature"], "members")
    eq((manifest["date"], manifest["format"], manifest["public_key"]), (DAY, "attendance-export/2", env.public_key),
       "date, format, key")
    for entry, name in zip(manifest["files"], names()[:4]):
        data = read(out_dir, name)
        eq(entry["name"], name, "order")
        eq(entry["sha256"], hashlib.sha256(data).hexdigest(), name + " sha256")
    signed = dict(manifest)
    signature = b64url_decode(signed.pop("signature"))
    key = nacl.signing.VerifyKey(b64url_decode(env.public_key))
    key.verify(json.dumps(signed, sort_keys=True, separators=(",", ":")).encode(), signature)  # raises if bad


@test
def the_manifest_anchors_the_audit_chain_as_the_day_was_closed(env):
    out_dir = export(env, "anchor")
    manifest = json.loads(read(out_dir, f"manifest_{DAY}.json"))
    anchored = env.db.sql("SELECT last_hash FROM audit_anchors WHERE day = :'d'", f"d={DAY}")
    eq([[manifest["audit_head"]]], anchored, "the head recorded when the day was closed")
    eq(env.db.sql("SELECT count(*) FROM audit_log WHERE hash = :'h'", f"h={manifest['audit_head']}"), [["1"]],
       "the hash of an entry of the chain")
    # Entries appended since move the chain's head, not the night's anchor: a rerun writes the same manifest.
    env.db.sql("INSERT INTO audit_log (action, entity) VALUES ('test', 'anchor')")
    again = json.loads(read(export(env, "anchor-again"), f"manifest_{DAY}.json"))
    eq(again["audit_head"], manifest["audit_head"], "the same head on the next run of the night")
    out = subprocess.run([SVC, "verify-export", out_dir, "--public-key", env.public_key], capture_output=True,
                         text=True, timeout=60)
    check(out.returncode == 0 and manifest["audit_head"] in out.stdout, f"verify-export names it: {out.stdout}")
    code, lines = run_svc(["audit-verify", "--head", manifest["audit_head"]], base_env(env.db.url))
    eq(code, 0, f"audit-verify --head the manifest's: {lines[-3:]}")


@test
def verify_export_passes_and_names_what_a_changed_byte_breaks(env):
    out_dir = export(env, "verify")
    vars = base_env(env.db.url)
    code, lines = run_svc(["verify-export", out_dir, "--public-key", env.public_key], vars)
    eq(code, 0, f"verify-export: {lines}")
    code, lines = run_svc(["verify-export", out_dir, "--public-key", env.public_key, "--date", DAY], vars)
    eq(code, 0, f"verify-export --date: {lines}")
    for name, offset in [(f"attendance_{DAY}.csv", 200), (f"violations_{DAY}.csv", 5), (f"manifest_{DAY}.json", 40)]:
        broken = os.path.join(env.work, "broken-" + name)
        shutil.copytree(out_dir, broken)
        path = os.path.join(broken, name)
        with open(path, "r+b") as f:
            f.seek(offset)
            byte = f.read(1)
            f.seek(offset)
            f.write(bytes([byte[0] ^ 0x01]))
        code, lines = run_svc(["verify-export", broken, "--public-key", env.public_key], vars)
        check(code != 0, f"{name} changed, yet verify-export exited 0")
        errors = " ".join(r.get("msg", "") + " " + str(r.get("file", "")) for r in log_records(lines)
                          if r.get("level") == "error")
        check(name in errors, f"the error names {name}: {errors}")
    # A row added keeps no hash, and the count is named too.
    extra = os.path.join(env.work, "extra-row")
    shutil.copytree(out_dir, extra)
    with open(os.path.join(extra, f"units_{DAY}.csv"), "ab") as f:
        f.write(b"EXP-Z,0,0,0,0,0.00,,false\r\n")
    code, lines = run_svc(["verify-export", extra, "--public-key", env.public_key], vars)
    msgs = [r.get("msg") for r in log_records(lines)]
    check(code != 0 and "verify-export: a file's rows are not the manifest's" in msgs, f"rows: {msgs}")
    # Another key.
    other = base64.urlsafe_b64encode(bytes(nacl.signing.SigningKey.generate().verify_key)).rstrip(b"=").decode()
    code, lines = run_svc(["verify-export", out_dir, "--public-key", other], vars)
    check(code != 0 and any("another key" in r.get("msg", "") for r in log_records(lines)), f"other key: {lines}")
    code, _ = run_svc(["verify-export", out_dir, "--public-key", "not-a-key"], vars)
    eq(code, 2, "a malformed key is bad usage")


class Receiver:
    """A loopback HTTP receiver of PUTs: answers `failures` 503s first (or 403 always), then 201."""

    def __init__(self, failures=0, refuse=False):
        self.failures, self.refuse = failures, refuse
        self.requests = []  # (path, status answered)
        self.files = {}
        lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    if receiver.refuse:
                        status = 403
                    elif receiver.failures > 0:
                        receiver.failures -= 1
                        status = 503
                    else:
                        status = 201
                        receiver.files[self.path] = body
                    receiver.requests.append((self.path, status, self.headers.get("Content-Type")))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/inbox/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@test
def the_upload_retries_503_and_sends_the_manifest_last(env):
    receiver = Receiver(failures=2)
    try:
        out_dir = os.path.join(env.work, "upload")
        code, lines = nightly(env, out_dir, "--upload", receiver.url, ATTENDANCE_EXPORT_UPLOAD_BACKOFF_MS=20)
    finally:
        receiver.close()
    eq(code, 0, f"nightly --upload: {lines[-5:]}")
    paths = ["/inbox/" + n for n in names()]
    eq([(p, s) for p, s, _ in receiver.requests],
       [(paths[0], 503), (paths[0], 503)] + [(p, 201) for p in paths], "the tries, the manifest last")
    for name, path in zip(names(), paths):
        eq(receiver.files[path], read(out_dir, name), name + " received whole")
    eq(receiver.requests[-1][2], "application/json", "the manifest's type")
    check(receiver.requests[0][2].startswith("text/csv"), f"a CSV file's type: {receiver.requests[0][2]}")
    attempts = [r for r in log_records(lines) if r.get("msg") == "nightly: upload attempt"]
    eq([(r["file"], r["attempt"], r["outcome"], r.get("status")) for r in attempts],
       [(names()[0], 1, "retrying", 503), (names()[0], 2, "retrying", 503), (names()[0], 3, "uploaded", 201)]
       + [(n, 1, "uploaded", 201) for n in names()[1:]], "one log line per try")
    check(all(r.get("wait_ms", 0) <= 40 for r in attempts), "waits within the backoff set")


@test
def a_403_is_not_retried_and_nothing_more_is_sent(env):
    receiver = Receiver(refuse=True)
    try:
        # The URL from the environment (as the systemd unit gives it), never on the command line.
        code, lines = nightly(env, os.path.join(env.work, "refused"), ATTENDANCE_EXPORT_UPLOAD_URL=receiver.url,
                              ATTENDANCE_EXPORT_UPLOAD_BACKOFF_MS=20)
    finally:
        receiver.close()
    check(code != 0, "a refused upload must fail the job")
    eq(receiver.requests, [("/inbox/" + names()[0], 403, "text/csv; charset=utf-8; header=present")],
       "one try of the first file, no manifest")
    records = log_records(lines)
    eq([(r["attempt"], r["outcome"], r["status"]) for r in records if r.get("msg") == "nightly: upload attempt"],
       [(1, "failed", 403)], "one failed try logged")


@test
def an_unreachable_receiver_is_retried_then_fails(env):
    receiver = Receiver()
    url = receiver.url
    receiver.close()  # nothing listens there now
    code, lines = nightly(env, os.path.join(env.work, "unreachable"), "--upload", url,
                          ATTENDANCE_EXPORT_UPLOAD_BACKOFF_MS=5, ATTENDANCE_EXPORT_UPLOAD_TRIES=3)
    check(code != 0, "an upload that never got through must fail the job")
    attempts = [r for r in log_records(lines) if r.get("msg") == "nightly: upload attempt"]
    eq([(r["attempt"], r["outcome"]) for r in attempts], [(1, "retrying"), (2, "retrying"), (3, "failed")], "tries")
    check(all("error" in r for r in attempts), f"the network error is logged: {attempts}")


def runs(env, query="", token=None):
    """Every run GET /v1/exports lists for query (to an admin unless token says otherwise), newest first, walking
    its pages of two."""
    items, cursor = [], ""
    for _ in range(50):
        r = env.svc.request("GET", f"/v1/exports?limit=2{query}{cursor}", token=token or env.agency.admin)
        eq(r.status, 200, f"GET /v1/exports: {r}")
        page = r.json()
        check(len(page["items"]) <= 2, "a page holds at most its limit")
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = "&cursor=" + page["next_cursor"]
    raise AssertionError("the pages never ended")


@test
def every_run_is_recorded_with_its_outcome_and_files(env):
    before = {run["id"] for run in runs(env)}
    out_dir = export(env, "recorded")
    receiver = Receiver(refuse=True)
    try:
        secret_url = receiver.url.replace("http://", "http://someone:secret@") + "?token=hush#frag"
        code, _ = nightly(env, os.path.join(env.work, "recorded-refused"), "--upload", secret_url)
    finally:
        receiver.close()
    check(code != 0, "a refused upload fails the job")
    blocked = os.path.join(env.work, "not-a-directory")
    open(blocked, "w").close()
    code, _ = nightly(env, blocked)
    check(code != 0, "an output path that is a file fails the job")

    listed = runs(env, f"&date={DAY}")
    new = [run for run in listed if run["id"] not in before]
    eq([(r["status"], r["failed_step"]) for r in new],
       [("failed", "write"), ("failed", "upload"), ("succeeded", None)], "the three runs, newest first")
    written, refused, succeeded = new
    eq(succeeded["out_dir"], out_dir, "where it wrote")
    eq(succeeded["upload_url"], None, "no upload asked")
    eq([f["name"] for f in succeeded["files"]], names(), "the files, manifest last")
    for f in succeeded["files"]:
        eq(f["sha256"], hashlib.sha256(read(out_dir, f["name"])).hexdigest(), f["name"] + "'s hash")
    manifest = json.loads(read(out_dir, names()[4]))
    eq([f["rows"] for f in succeeded["files"]], [f["rows"] for f in manifest["files"]] + [None],
       "rows as the manifest counts them")
    eq(succeeded["files"][0]["rows"], 7, "the day's seven employees")
    check(succeeded["started_at"] <= succeeded["finished_at"], "started before it finished")
    eq(refused["upload_url"], receiver.url, "the receiver without its user, password, query or fragment")
    eq(len(refused["files"]), 5, "an upload that failed still lists the files written")
    eq(written["files"], [], "nothing written, nothing listed")
    check(isinstance(written["closure"]["absent"], int), "the day was closed before the write failed")
    # The day's first run flagged the four absentees (Dewi, Fajar, Hadi, and Eko, whose only "in" was outside
    # its home); later runs find nothing new.
    eq(listed[-1]["closure"], {"absent": 4, "no_checkout": 0}, "the first closure of the day")
    eq(succeeded["closure"], {"absent": 0, "no_checkout": 0}, "a later run flags nothing again")

    # A reviewer sees every run (the night is the whole service's), with its own agency's figures only.
    seen = runs(env, f"&date={DAY}", token=env.reviewer)
    eq([r["id"] for r in seen], [r["id"] for r in listed], "the same runs")
    first = seen[-1]
    eq(first["closure"], {"absent": 4, "no_checkout": 0}, "what the day's closure flagged in its agency")
    eq({f["rows"] for run in seen for f in run["files"]}, {None} if any(r["files"] for r in seen) else set(),
       "no file's rows: each holds every agency's")
    as_seen = next(r for r in seen if r["id"] == succeeded["id"])
    eq([f["sha256"] for f in as_seen["files"]], [f["sha256"] for f in succeeded["files"]], "the files' hashes")
    other = Agency(env.svc, prefix="EXO" + secrets.token_hex(4).upper())
    outsider = make_staff(env, "reviewer", other.top["id"])
    eq(runs(env, f"&date={DAY}", token=outsider)[-1]["closure"], {"absent": 0, "no_checkout": 0},
       "another agency's reviewer sees none of this agency's flags")

    failed = runs(env, "&status=failed")
    check(failed and all(r["status"] == "failed" for r in failed), "status narrows the list")
    eq(runs(env, "&date=2023-09-05"), [], "another day has no runs")
    for query, field in (("?date=2023-13-01", "date"), ("?status=done", "status"), ("?cursor=x", "cursor")):
        r = env.svc.request("GET", "/v1/exports" + query, token=env.reviewer)
        eq((r.status, r.json()["error"]["field"]), (400, field), query)


@test
def keygen_makes_a_private_key_and_never_overwrites_one(env):
    path = os.path.join(env.work, "new.key")
    vars = base_env(env.db.url)
    code, out, err = keygen(path, vars)
    eq(code, 0, f"export-keygen: {err}")
    eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "mode")
    with open(path, "rb") as f:
        key = f.read()
    eq(len(key), 64, "libsodium's secret key")
    eq(b64url_decode(out.strip()), key[32:], "the public key printed")
    eq(bytes(nacl.signing.SigningKey(key[:32]).verify_key), key[32:], "a key that holds together")
    code, out, err = keygen(path, vars)
    check(code != 0 and out == "", f"a second keygen over the file must fail: {code} {out!r}")
    check("never replaced" in err, f"says why: {err}")
    with open(path, "rb") as f:
        eq(f.read(), key, "the existing key untouched")
    # The nightly refuses a key others may read.
    os.chmod(path, 0o644)
    vars = base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=path)
    code, lines = run_svc(["nightly", "--date", DAY, "--out", os.path.join(env.work, "never")], vars)
    eq(code, 2, f"a readable key is a configuration error: {lines}")
    check(not os.path.exists(os.path.join(env.work, "never")), "nothing written")


@test
def bad_usage_and_missing_settings_exit_2(env):
    out_dir = os.path.join(env.work, "never")
    for args, settings in [(["nightly", "--date", "2023-02-30", "--out", out_dir], {}),
                           (["nightly", "--date", DAY], {}),
                           (["nightly", "--date", DAY, "--out", out_dir, "--upload", "http://example.com/in"], {}),
                           (["nightly", "--date", DAY, "--out", out_dir, "--bogus", "x"], {}),
                           (["nightly", "--date", DAY, "--out", out_dir], {"ATTENDANCE_EXPORT_KEY_FILE": ""}),
                           (["export-keygen"], {}),
                           (["verify-export", "--public-key", "x"], {})]:
        vars = base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=env.key_file)
        vars.update(settings)
        code, lines = run_svc(args, vars)
        eq(code, 2, f"{args} {settings}: {lines[-2:]}")
    check(not os.path.exists(out_dir), "nothing written")
