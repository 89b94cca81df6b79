"""Attendance from where there is no phone (issue 19): paper and fingerprint records imported by an admin or the
unit's supervisor (POST /v1/checkins/import), each a check-in with its source and who vouched for it, judged at its
own time, flagged MANUAL_ENTRY, once however often the file comes, audited."""
import datetime
import secrets
import zoneinfo

from harness import Agency, Phone, admin_env, check, eq, make_staff, test

HEADER = "nip,type,time,office_code,source\n"
EVERY_DAY = {d: ["07:30", "16:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    env.unit = a.unit(a.prefix + "-R", "administrative", parent_id=a.top["id"], work_hours=EVERY_DAY)
    env.other = a.unit(a.prefix + "-S", "administrative", parent_id=a.top["id"], work_hours=EVERY_DAY)
    env.code = f"{a.prefix}-GATE"
    env.office = office(env, env.unit, env.code)
    env.other_code = f"{a.prefix}-SIDE"
    office(env, env.other, env.other_code)
    env.day = (datetime.datetime.now(WIB) - datetime.timedelta(days=1)).date().isoformat()
    return env


def teardown(env):
    env.close()


def office(env, unit, code):
    r = env.svc.request("POST", "/v1/offices", {"unit_id": unit["id"], "name": "Gerbang", "code": code, "geofence": {
        "type": "circle", "lat": -6.1818, "lon": 106.8283, "radius_m": 150}}, token=env.agency.admin)
    eq(r.status, 201, f"office {code}: {r}")
    eq(r.json()["code"], code, "its code")
    return r.json()


def post(env, text, token=None, ctype="text/csv"):
    return env.svc.request("POST", "/v1/checkins/import", text.encode(), headers={"Content-Type": ctype},
                           token=token or env.agency.admin)


def at(env, hhmm):
    return f"{env.day}T{hhmm}:00+07:00"


def codes_of(env, checkin_id):
    return sorted(r[0] for r in env.db.sql("SELECT code FROM violations WHERE checkin_id = :'c'", f"c={checkin_id}"))


@test
def records_are_check_ins_vouched_for_and_judged_at_their_time(env):
    on_time, late = Phone(env.svc, env.db, env.unit["id"]), Phone(env.svc, env.db, env.unit["id"])
    text = (HEADER + f"{on_time.nip},in,{at(env, '07:20')},{env.code},paper\n"
            f"{on_time.nip},out,{at(env, '16:05')},{env.code},paper\n"
            f"{late.nip},in,{at(env, '08:10')},{env.code},fingerprint\n")
    r = post(env, text)
    eq(r.status, 200, f"the import: {r}")
    body = r.json()
    eq((body["created"], body["duplicates"], body["rejected"]), (3, 0, []), "three records")
    by_line = {c["line"]: c for c in body["checkins"]}
    eq(sorted(by_line[2]["violations"]), ["MANUAL_ENTRY"], "on time: for review only, no LATE_SYNC")
    eq(sorted(by_line[4]["violations"]), ["LATE_ARRIVAL", "MANUAL_ENTRY"], "late by its own time, 08:10")
    rows = env.db.sql("SELECT source, vouched_by, device_id IS NULL, signature IS NULL, judged_at = captured_at,"
                      " local_day, convert_from(payload, 'UTF8') FROM checkins WHERE id = :'c'",
                      f"c={by_line[4]['checkin_id']}")
    admin_id = env.db.sql("SELECT id FROM accounts WHERE username = 'admin'")[0][0]
    eq(rows, [["fingerprint", admin_id, "t", "t", "t", env.day,
               f"{late.nip},in,{at(env, '08:10')},{env.code},fingerprint"]], "stored with its source and voucher")
    v = env.db.sql("SELECT evidence ->> 'source', evidence ->> 'vouched_by', evidence ->> 'office_id' FROM violations"
                   " WHERE checkin_id = :'c' AND code = 'MANUAL_ENTRY'", f"c={by_line[4]['checkin_id']}")
    eq(v, [["fingerprint", admin_id, env.office["id"]]], "the evidence names source, voucher and office")

    r = env.svc.request("GET", f"/v1/units/{env.unit['id']}/days/{env.day}", token=env.agency.admin)
    day = {e["employee_id"]: e for e in r.json()["employees"]}
    eq((day[on_time.employee_id]["first_in_source"], day[on_time.employee_id]["last_out_source"]), ("paper", "paper"),
       "the unit's day shows where the times came from")
    eq(day[on_time.employee_id]["state"], "present", "present by the register")

    audit = env.db.sql("SELECT after -> 'created' FROM audit_log WHERE entity = 'checkin' AND action = 'import'"
                       " ORDER BY id DESC LIMIT 1")
    check(by_line[4]["checkin_id"] in audit[0][0], f"the audit names the check-ins: {audit}")

    again = post(env, text)
    eq((again.status, again.json()["created"], again.json()["duplicates"]), (200, 0, 3), "the same file again")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE employee_id IN (:'a', :'b')", f"a={on_time.employee_id}",
                  f"b={late.employee_id}"), [["3"]], "no record twice")


@test
def a_phones_check_in_and_a_record_make_one_day(env):
    p = Phone(env.svc, env.db, env.unit["id"])
    now = datetime.datetime.now(WIB)
    if now.hour == 0 and now.minute < 2:
        now += datetime.timedelta(minutes=2)  # the record's minute earlier must be the same day
    eq(p.checkin(captured_at=now.isoformat()).status, 201, "the phone's 'in' today")
    earlier = (now - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    r = post(env, HEADER + f"{p.nip},in,{earlier},{env.code},paper\n")
    eq(r.json()["created"], 1, f"a record of a minute earlier: {r}")
    eq(r.json()["checkins"][0]["violations"], ["MANUAL_ENTRY"], "the day had its arrival: nothing late to judge")
    r = env.svc.request("GET", f"/v1/units/{env.unit['id']}/days/{now.date().isoformat()}", token=env.agency.admin)
    day = {e["employee_id"]: e for e in r.json()["employees"]}[p.employee_id]
    eq(day["first_in_source"], "paper", "the day's arrival is the earlier of the two, whatever sent it")


@test
def rows_that_cannot_be_imported_are_rejected_by_line_and_the_rest_imported(env):
    p = Phone(env.svc, env.db, env.unit["id"])
    future = (datetime.datetime.now(WIB) + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    rows = [f"{p.nip},in,{at(env, '07:10')},{env.code},paper",             # 2: imported
            f"123,in,{at(env, '07:10')},{env.code},paper",                  # 3
            f"{p.nip},lunch,{at(env, '07:10')},{env.code},paper",           # 4
            f"{p.nip},out,yesterday,{env.code},paper",                      # 5
            f"{p.nip},out,{future},{env.code},paper",                       # 6
            f"{p.nip},out,{at(env, '16:10')},{env.code},carrier pigeon",   # 7
            f"{p.nip},out,{at(env, '16:10')},{env.other_code},paper",       # 8: another unit's office
            f"{p.nip},out,{at(env, '16:10')},NO-SUCH,paper",                # 9
            f"19{secrets.randbelow(10**16):016d},out,{at(env, '16:10')},{env.code},paper",  # 10: nobody
            f"{p.nip},out,{at(env, '16:10')},{env.code}"]                   # 11
    r = post(env, HEADER + "\n".join(rows) + "\n")
    eq(r.status, 200, f"the import: {r}")
    rejected = {x["line"]: x["error"] for x in r.json()["rejected"]}
    eq(sorted(rejected), list(range(3, 12)), f"every bad line: {rejected}")
    for line, words in ((3, "18 digits"), (4, "in or out"), (5, "RFC 3339"), (6, "future"), (7, "paper or"),
                        (8, "no office"), (9, "no office"), (10, "no active employee"), (11, "5 fields")):
        check(words in rejected[line], f"line {line}: {rejected[line]}")
    eq(r.json()["created"], 1, "the good row")
    for bad, status in ((("nip,type\n" + rows[0]), 422), ("", 422)):
        eq(post(env, bad).status, status, f"a file without the header: {bad!r}")
    eq(post(env, HEADER, ctype="application/json").status, 415, "not CSV")
    eq(env.svc.request("POST", "/v1/checkins/import", HEADER.encode(), headers={"Content-Type": "text/csv"},
                       token=p.token).status, 403, "an employee vouches for nobody")
    eq(post(env, HEADER + (rows[0] + "\n") * 10001).status, 413, "too many records in one file")


@test
def a_supervisor_vouches_for_its_unit_only(env):
    mine, theirs = Phone(env.svc, env.db, env.unit["id"]), Phone(env.svc, env.db, env.other["id"])
    boss = make_staff(env, "supervisor", env.unit["id"])
    r = post(env, HEADER + f"{mine.nip},in,{at(env, '07:25')},{env.code},paper\n"
             f"{theirs.nip},in,{at(env, '07:25')},{env.other_code},paper\n", token=boss)
    eq(r.status, 200, f"the supervisor's import: {r}")
    eq(r.json()["created"], 1, "its own unit's record")
    eq([x["line"] for x in r.json()["rejected"]], [3], "another unit's employee is not in its scope")


@test
def an_office_code_is_unique_and_well_formed(env):
    a = env.agency
    for code, status in ((env.code, 409), ("with space", 422), ("x" * 33, 422), (7, 400)):
        r = env.svc.request("POST", "/v1/offices", {"unit_id": env.unit["id"], "name": "X", "code": code, "geofence": {
            "type": "circle", "lat": -6.2, "lon": 106.8, "radius_m": 50}}, token=a.admin)
        eq((r.status, r.json()["error"].get("field")), (status, "code"), f"code {code!r}: {r}")
    r = env.svc.request("POST", "/v1/offices", {"unit_id": env.unit["id"], "name": "Tanpa kode", "geofence": {
        "type": "circle", "lat": -6.2, "lon": 106.8, "radius_m": 50}}, token=a.admin)
    eq((r.status, r.json()["code"]), (201, None), "a code is optional")
