"""Leave, permission and official duty (CONTRACT.md, "Leave and permission"; issue 22): asking, the letter, the
supervisor's decision, what approved leave excuses (before and after the closure), the employee's own view and
explanation, and a supervisor's scope over the units under it."""
import csv
import datetime
import io
import os
import secrets
import tempfile

from harness import ADMIN_PASSWORD, Agency, admin_env, base_env, check, eq, login, make_employee, make_staff, \
    run_svc, test, Phone, rfc3339

SERIAL = secrets.randbelow(1000)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    # A section under unit A, and unit B its sibling: the head of A supervises A and the section, never B.
    env.section = a.unit("%s-A1" % a.prefix, "administrative", parent_id=a.unit_a["id"])
    env.sup_a = make_staff(env, "supervisor", a.unit_a["id"])
    env.sup_b = make_staff(env, "supervisor", a.unit_b["id"])
    env.reviewer = make_staff(env, "reviewer", a.top["id"])
    return env


def teardown(env):
    env.close()


def nip(appointed="201001", sex="2"):
    """An 18-digit NIP: born 1985-03-12, appointed in the month appointed (YYYYMM), of sex 1 or 2."""
    global SERIAL
    SERIAL += 1
    return "1985" + "%04d" % secrets.randbelow(10000) + appointed + sex + "%03d" % (SERIAL % 1000)


def employee(env, unit_id, **nip_parts):
    emp_id, number = make_employee(env.db, unit_id, nip(**nip_parts))
    # Employed in its unit long before the days closed here.
    env.db.sql("UPDATE employee_units SET valid_from = '2000-01-01' WHERE employee_id = :'e'", f"e={emp_id}")
    return {"id": str(emp_id), "nip": number, "token": login(env.svc, number, ADMIN_PASSWORD)}


def weekdays_back(n):
    """The n-th working day (Mon-Fri) before today, as a date, counting back from yesterday."""
    day = datetime.date.today()
    while n:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def weekday_ahead(n):
    """A working day (Mon-Fri) at least n days after today."""
    day = datetime.date.today() + datetime.timedelta(days=n)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def ask(env, who, kind, first, last, **extra):
    body = {"kind": kind, "from": str(first), "to": str(last), "reason": "sakit demam"}
    body.update(extra)
    return env.svc.request("POST", "/v1/leave", body, token=who["token"])


def decide(env, token, leave, decision="approved", version=None):
    return env.svc.request("POST", f"/v1/leave/{leave['id']}/decision",
                           {"decision": decision, "note": "ok", "version": version or leave["version"]}, token=token)


def close(env, day):
    code, lines = run_svc(["close-day", "--date", str(day)], base_env(env.db.url))
    eq(code, 0, f"close-day {day}: {lines[-3:]}")


def flags(env, who, code, day):
    return env.db.sql("SELECT id, status FROM violations WHERE employee_id = :'e' AND code = :'c' AND day = :'d'",
                      f"e={who['id']}", f"c={code}", f"d={day}")


@test
def a_sick_leave_with_its_letter_excuses_absence_before_and_after_the_closure(env):
    siti = employee(env, env.agency.unit_a["id"])
    first, second = weekdays_back(3), weekdays_back(2)
    close(env, first)
    eq([s for _, s in flags(env, siti, "ABSENT", first)], ["pending"], "ABSENT before the leave")
    r = ask(env, siti, "cuti_sakit", first, second)
    eq(r.status, 201, str(r))
    leave = r.json()
    eq((leave["status"], leave["working_days"]), ("pending", 2))
    # Two days of sick leave need the doctor's letter before approval.
    r = decide(env, env.sup_a, leave)
    eq((r.status, r.error_code()), (422, "attachment_required"), str(r))
    r = env.svc.request("PUT", f"/v1/leave/{leave['id']}/attachment", PDF, headers={"Content-Type": "image/png"},
                        token=siti["token"])
    eq((r.status, r.error_code()), (415, "unsupported_media_type"), "a PDF declared as PNG")
    r = env.svc.request("PUT", f"/v1/leave/{leave['id']}/attachment", PDF,
                        headers={"Content-Type": "application/pdf"}, token=siti["token"])
    eq(r.status, 200, str(r))
    leave = r.json()
    r = env.svc.request("GET", leave["attachment"]["url"], token=env.sup_a)
    eq((r.status, r.body), (200, PDF), "the supervisor reads the letter")
    # Nobody decides its own leave; a stale version loses.
    r = decide(env, env.sup_a, leave, version=leave["version"] - 1)
    eq((r.status, r.error_code()), (409, "version_conflict"), str(r))
    r = decide(env, env.sup_b, leave)
    eq((r.status, r.error_code()), (404, "not_found"), "the sibling unit's supervisor")
    r = decide(env, env.sup_a, leave)
    eq(r.status, 200, str(r))
    eq((r.json()["status"], r.json()["flags_dismissed"]), ("approved", 1))
    # The ABSENT flagged before is dismissed by the service, naming the leave, audited without an actor.
    (violation_id, status), = flags(env, siti, "ABSENT", first)
    eq(status, "dismissed")
    r = env.svc.request("GET", f"/v1/violations/{violation_id}", token=env.reviewer)
    eq(r.status, 200, str(r))
    eq((r.json()["decision"]["leave_id"], r.json()["decision"]["decided_by_username"]), (leave["id"], "system"))
    eq(r.json()["leave"]["id"], leave["id"], "the evidence shows the leave")
    rows = env.db.sql("SELECT actor FROM audit_log WHERE entity = 'violation' AND entity_id = :'v'"
                      " AND action = 'dismiss_by_leave'", f"v={violation_id}")
    eq(rows, [["system"]], "the service's own decision is audited")
    # A day closed after the approval flags no ABSENT at all.
    close(env, second)
    eq(flags(env, siti, "ABSENT", second), [], "ABSENT on an approved day of leave")
    year = first.year
    r = env.svc.request("GET", f"/v1/me/discipline?year={year}", token=siti["token"])
    eq((r.status, r.json()["absent_days"]), (200, 0), "discipline counts none of it")
    r = env.svc.request("GET", f"/v1/units/{env.agency.unit_a['id']}/days/{second}", token=env.sup_a)
    row, = [e for e in r.json()["employees"] if e["employee_id"] == siti["id"]]
    eq((row["state"], row["leave"]["kind"]), ("on_leave", "cuti_sakit"), "the unit's day shows who is on leave")
    # The export agrees: the day of leave has its leave and no ABSENT.
    with tempfile.TemporaryDirectory() as work:
        key = os.path.join(work, "export.key")
        code, lines = run_svc(["export-keygen", "--out", key], base_env(env.db.url))
        eq(code, 0, f"export-keygen: {lines[-3:]}")
        out = os.path.join(work, "out")
        code, lines = run_svc(["nightly", "--date", str(second), "--out", out],
                              base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=key))
        eq(code, 0, f"nightly: {lines[-3:]}")
        with open(os.path.join(out, f"attendance_{second}.csv"), newline="") as f:
            rows = {row["nip"]: row for row in csv.DictReader(io.StringIO(f.read()))}
    eq((rows[siti["nip"]]["leave"], rows[siti["nip"]]["violations"]), ("cuti_sakit", ""), "Siti's export row")
    actions = [a for a, in env.db.sql("SELECT action FROM audit_log WHERE entity = 'leave' AND entity_id = :'l'"
                                      " ORDER BY id", f"l={leave['id']}")]
    eq(actions, ["request", "attach", "decide"])


@test
def annual_leave_is_twelve_working_days_after_a_year_of_service(env):
    today = datetime.date.today()
    newcomer = employee(env, env.agency.unit_a["id"], appointed=today.strftime("%Y%m"))
    start = today + datetime.timedelta(days=7)
    start += datetime.timedelta(days=max(0, 7 - start.weekday()))  # a Saturday or Sunday has no working day
    r = ask(env, newcomer, "cuti_tahunan", start, start)
    eq((r.status, r.error_code()), (422, "leave_service_too_short"), str(r))
    senior = employee(env, env.agency.unit_a["id"])
    # Within one year: from Monday to Friday of two weeks is 10 working days, a third week is beyond the 12.
    monday = datetime.date(today.year, 1, 1) + datetime.timedelta(days=7 * 20)
    monday -= datetime.timedelta(days=monday.weekday())
    if monday < today:
        monday = today + datetime.timedelta(days=(7 - today.weekday()) % 7 or 7)
    if monday.year != (monday + datetime.timedelta(days=25)).year:
        return  # late December: the span would cross the year (judged by its own rule)
    r = ask(env, senior, "cuti_tahunan", monday, monday + datetime.timedelta(days=11))
    eq((r.status, r.json()["working_days"]), (201, 10), str(r))
    r = ask(env, senior, "cuti_tahunan", monday + datetime.timedelta(days=14), monday + datetime.timedelta(days=18))
    eq((r.status, r.error_code()), (422, "leave_balance_exceeded"), str(r))
    eq(r.json()["error"]["annual_balance"], 12)
    r = ask(env, senior, "cuti_tahunan", monday + datetime.timedelta(days=7), monday + datetime.timedelta(days=7))
    eq((r.status, r.error_code()), (409, "leave_overlap"), "overlapping its own pending leave")


@test
def kinds_are_judged_by_their_rules(env):
    man = employee(env, env.agency.unit_a["id"], sex="1")
    day = weekday_ahead(30)
    r = ask(env, man, "cuti_melahirkan", day, day + datetime.timedelta(days=60))
    eq((r.status, r.error_code()), (422, "leave_not_eligible"), str(r))
    r = ask(env, man, "cuti_alasan_penting", day, day + datetime.timedelta(days=40))
    eq((r.status, r.error_code()), (422, "leave_too_long"), str(r))
    r = ask(env, man, "izin", day, day + datetime.timedelta(days=1))
    eq((r.status, r.error_code()), (422, "leave_too_long"), "an izin is one day")
    r = ask(env, man, "cuti_tahunan", day, day, start="08:00", end="10:00")
    eq((r.status, r.error_code()), (422, "invalid_value"), "hours only for an izin")
    r = ask(env, man, "cuti_hamil", day, day)
    eq((r.status, r.error_code()), (400, "invalid_field"), str(r))
    r = ask(env, man, "izin", day, day, start="10:00", end="08:00")
    eq((r.status, r.error_code()), (422, "invalid_value"), str(r))
    saturday = day + datetime.timedelta(days=(5 - day.weekday()) % 7)
    r = ask(env, man, "dinas_luar", saturday, saturday + datetime.timedelta(days=1))
    eq((r.status, r.error_code()), (422, "no_working_day"), str(r))


@test
def the_employee_withdraws_its_pending_leave_and_nobody_else_does(env):
    siti = employee(env, env.agency.unit_a["id"])
    other = employee(env, env.agency.unit_a["id"])
    day = weekday_ahead(10)
    leave = ask(env, siti, "dinas_luar", day, day).json()
    r = env.svc.request("DELETE", f"/v1/leave/{leave['id']}", token=other["token"])
    eq(r.status, 404, "another employee does not see it")
    r = env.svc.request("DELETE", f"/v1/leave/{leave['id']}", token=siti["token"])
    eq((r.status, r.json()["status"]), (200, "withdrawn"), str(r))
    r = env.svc.request("DELETE", f"/v1/leave/{leave['id']}", token=siti["token"])
    eq((r.status, r.error_code()), (409, "conflict"), str(r))
    r = decide(env, env.sup_a, leave)
    eq((r.status, r.error_code()), (409, "version_conflict"), str(r))


@test
def nobody_approves_its_own_leave(env):
    head = employee(env, env.agency.unit_a["id"])
    token = make_staff(env, "supervisor", env.agency.unit_a["id"], employee_id=head["id"])
    day = weekday_ahead(12)
    leave = ask(env, head, "dinas_luar", day, day).json()
    r = decide(env, token, leave)
    eq((r.status, r.error_code()), (403, "self_approval"), str(r))


@test
def the_agency_names_another_approver_for_a_kind(env):
    a = env.agency
    r = env.svc.request("GET", f"/v1/leave/approvers?agency_id={a.top['id']}", token=env.sup_a)
    eq(r.status, 200, f"the approvers: {r}")
    eq({i["kind"]: i["role"] for i in r.json()["items"]}["cuti_besar"], "supervisor", "by default the supervisor")
    for body, status in (({"agency_id": a.top["id"], "role": "janitor"}, 422), ({"role": "reviewer"}, 400),
                         ({"agency_id": a.unit_a["id"], "role": "reviewer"}, 404)):
        eq(env.svc.request("PUT", "/v1/leave/approvers/cuti_besar", body, token=a.admin).status, status, f"{body}")
    eq(env.svc.request("PUT", "/v1/leave/approvers/no_such_kind", {"agency_id": a.top["id"], "role": "reviewer"},
                       token=a.admin).status, 404, "an unknown kind")
    r = env.svc.request("PUT", "/v1/leave/approvers/cuti_besar", {"agency_id": a.top["id"], "role": "reviewer"},
                        token=a.admin)
    eq((r.status, r.json()["role"]), (200, "reviewer"), f"cuti besar decided by BKD: {r}")
    check(env.db.sql("SELECT count(*) FROM audit_log WHERE entity = 'leave_approver'")[0][0] != "0", "audited")
    senior = employee(env, a.unit_a["id"], appointed="200001")  # 26 years of service: cuti besar allowed
    first = weekday_ahead(40)
    leave = ask(env, senior, "cuti_besar", first, first + datetime.timedelta(days=6))
    eq(leave.status, 201, f"asked: {leave}")
    r = decide(env, env.sup_a, leave.json())
    eq((r.status, r.error_code()), (403, "forbidden"), f"no more the supervisor's: {r}")
    r = decide(env, env.reviewer, leave.json())
    eq((r.status, r.json()["status"]), (200, "approved"), f"the reviewer's: {r}")
    other = ask(env, senior, "dinas_luar", weekday_ahead(60), weekday_ahead(60)).json()
    eq(decide(env, env.reviewer, other).status, 403, "other kinds stay the supervisor's")
    eq(decide(env, env.sup_a, other).status, 200, "the supervisor decides them")


@test
def a_supervisor_sees_the_units_under_it_and_never_a_sibling(env):
    a = env.agency
    worker = employee(env, env.section["id"])
    sibling = employee(env, a.unit_b["id"])
    day = weekday_ahead(14)
    section_leave = ask(env, worker, "dinas_luar", day, day).json()
    sibling_leave = ask(env, sibling, "dinas_luar", day, day).json()
    r = env.svc.request("GET", f"/v1/leave?status=pending&limit=500", token=env.sup_a)
    ids = {item["id"] for item in r.json()["items"]}
    check(section_leave["id"] in ids and sibling_leave["id"] not in ids, f"the head of A's queue: {ids}")
    eq(env.svc.request("GET", f"/v1/employees/{worker['id']}", token=env.sup_a).status, 200, "the section's employee")
    eq(env.svc.request("GET", f"/v1/employees/{sibling['id']}", token=env.sup_a).status, 404, "the sibling's")
    eq(env.svc.request("GET", f"/v1/units/{env.section['id']}", token=env.sup_a).status, 200, "the section")
    eq(env.svc.request("GET", f"/v1/units/{a.unit_b['id']}", token=env.sup_a).status, 404, "the sibling unit")
    r = env.svc.request("GET", f"/v1/employees?unit_id={env.section['id']}", token=env.sup_a)
    eq(r.status, 200, str(r))
    r = env.svc.request("GET", f"/v1/units/{env.section['id']}/roster/{day}", token=env.sup_a)
    eq(r.status, 200, str(r))
    r = env.svc.request("GET", f"/v1/units/{a.unit_b['id']}/roster/{day}", token=env.sup_a)
    eq(r.status, 404, str(r))
    eq(decide(env, env.sup_a, section_leave).status, 200, "the head of A decides the section's leave")
    eq(decide(env, env.sup_b, section_leave, version=2).status, 404, "the head of B does not")


@test
def the_employee_reads_its_own_records_and_explains_a_pending_violation(env):
    siti = employee(env, env.agency.unit_a["id"])
    other = employee(env, env.agency.unit_a["id"])
    day = weekdays_back(1)
    close(env, day)
    r = env.svc.request("GET", "/v1/me", token=siti["token"])
    eq((r.status, r.json()["nip"]), (200, siti["nip"]))
    r = env.svc.request("GET", "/v1/me/violations?status=pending", token=siti["token"])
    eq(r.status, 200, str(r))
    absent = [v for v in r.json()["items"] if v["code"] == "ABSENT" and v["day"] == str(day)]
    eq(len(absent), 1, str(r.json()))
    vid = absent[0]["id"]
    r = env.svc.request("POST", f"/v1/violations/{vid}/explanation", {"text": "ban bocor"}, token=other["token"])
    eq(r.status, 404, "another employee's violation")
    r = env.svc.request("POST", f"/v1/violations/{vid}/explanation", {"text": ""}, token=siti["token"])
    eq((r.status, r.error_code()), (422, "invalid_value"))
    r = env.svc.request("POST", f"/v1/violations/{vid}/explanation", {"text": "ban motor bocor"}, token=siti["token"])
    eq((r.status, r.json()["text"]), (200, "ban motor bocor"), str(r))
    r = env.svc.request("GET", f"/v1/violations/{vid}", token=env.reviewer)
    eq(r.json()["explanation"]["text"], "ban motor bocor", "the reviewer reads it with the evidence")
    r = env.svc.request("GET", "/v1/me/violations", token=siti["token"])
    eq([v["explanation"]["text"] for v in r.json()["items"] if v["id"] == vid], ["ban motor bocor"])
    r = env.svc.request("POST", f"/v1/violations/{vid}/decision",
                        {"decision": "dismissed", "sanction": None, "note": "", "version": 1}, token=env.reviewer)
    eq(r.status, 200, str(r))
    r = env.svc.request("POST", f"/v1/violations/{vid}/explanation", {"text": "later"}, token=siti["token"])
    eq((r.status, r.error_code()), (409, "conflict"), "only while pending")
    r = env.svc.request("GET", f"/v1/me/checkins?from={day}&to={day}", token=siti["token"])
    eq((r.status, r.json()["items"]), (200, []))
    r = env.svc.request("GET", "/v1/me/leave", token=siti["token"])
    eq((r.status, r.json()["items"]), (200, []))


@test
def the_employee_reads_its_own_day_its_mode_shift_arrival_and_leave(env):
    """GET /v1/me/day (the employee's app reads it for the mode to sign): today on the unit's clock by default,
    the roster's mode and shift, the arrival, the leave of the day, the unit's hours; only its own row."""
    a = env.agency
    unit = a.unit("%s-D" % a.prefix, "administrative", parent_id=a.unit_a["id"], timezone="Asia/Jayapura")
    a.office(unit["id"])
    phone, colleague = Phone(env.svc, env.db, unit["id"], nip=nip()), Phone(env.svc, env.db, unit["id"], nip=nip())
    wit_today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9))).date()
    r = env.svc.request("GET", "/v1/me/day", token=phone.token)
    eq(r.status, 200, str(r))
    d = r.json()
    eq((d["date"], d["timezone"], d["unit_id"], d["employee_id"], d["mode"], d["state"], d["first_in"]),
       (str(wit_today), "Asia/Jayapura", unit["id"], str(phone.employee_id), "WFO", d["state"], None), str(d))
    check(d["nip"] == phone.nip and "work_day" in d["hours"], str(d))
    day = weekday_ahead(3)
    sup = make_staff(env, "supervisor", unit["id"])
    r = env.svc.request("PUT", f"/v1/units/{unit['id']}/roster/{day}", {"entries": [
        {"employee_id": str(phone.employee_id), "mode": "WFH", "start": "10:00", "end": "18:00"}]}, token=sup)
    eq(r.status, 200, str(r))
    who = {"id": str(phone.employee_id), "token": phone.token}
    leave = ask(env, who, "izin", day, day, start="10:00", end="12:00").json()
    eq(decide(env, sup, leave).status, 200)
    d = env.svc.request("GET", f"/v1/me/day?date={day}", token=phone.token).json()
    eq((d["date"], d["mode"], d["start"], d["end"], d["leave"]["kind"], d["leave"]["start"]),
       (str(day), "WFH", "10:00", "18:00", "izin", "10:00"), str(d))
    d = env.svc.request("GET", f"/v1/me/day?date={day}", token=colleague.token).json()
    eq((d["employee_id"], d["mode"], d["leave"]), (str(colleague.employee_id), "WFO", None), "a colleague's own day")
    r = env.svc.request("GET", "/v1/me/day?date=2026-02-30", token=phone.token)
    eq((r.status, r.error_code()), (400, "invalid_field"))
    r = env.svc.request("GET", "/v1/me/day", token=sup)
    eq(r.status, 403, "staff have no day of their own here")


@test
def a_check_in_on_a_day_of_approved_leave_is_judged_with_it(env):
    """An izin for the morning: arriving at 09:40 is no LATE_ARRIVAL, where a colleague's is; the facts the
    check-in cache held before the approval end with it."""
    a = env.agency
    unit = a.unit("%s-K" % a.prefix, "administrative", parent_id=a.unit_a["id"], sync_tolerance_s=315360000)
    a.office(unit["id"])
    phone, colleague = Phone(env.svc, env.db, unit["id"], nip=nip()), Phone(env.svc, env.db, unit["id"], nip=nip())
    day = weekdays_back(4)  # a day no test here closes
    offset = datetime.timezone(datetime.timedelta(hours=7))

    def at(hh, mm):
        return rfc3339(datetime.datetime.combine(day, datetime.time(hh, mm), offset).timestamp())

    # A check-in first, so that the employee's facts for the day are cached before the approval.
    r = phone.checkin(type="out", captured_at=at(7, 5))
    check(r.status == 201, str(r))
    who = {"id": str(phone.employee_id), "token": phone.token}
    leave = ask(env, who, "izin", day, day, start="07:00", end="10:00").json()
    eq(decide(env, env.sup_a, leave).status, 200)
    r = phone.checkin(type="in", captured_at=at(9, 40))
    check(r.status == 201, str(r))
    codes = [v["code"] for v in r.json()["violations"]]
    check("LATE_ARRIVAL" not in codes, f"the izin excuses the late arrival: {codes}")
    r = colleague.checkin(type="in", captured_at=at(9, 40))
    check("LATE_ARRIVAL" in [v["code"] for v in r.json()["violations"]], f"the colleague is late: {r}")
