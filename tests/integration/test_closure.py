"""The agency calendar, the nightly closure (ABSENT, NO_CHECKOUT) and discipline accumulation (issue 6)."""
import datetime
import json
import secrets
import time
import zoneinfo

from harness import (ADMIN_PASSWORD, Phone, Agency, admin_env, base_env, check, eq, login, rfc3339, run_svc, test)

DAY = "2023-09-05"  # a Tuesday


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    env.unit = a.unit(a.prefix + "-CL", "administrative", parent_id=a.top["id"])
    env.other = a.unit(a.prefix + "-CM", "administrative", parent_id=a.top["id"])
    return env


def teardown(env):
    env.close()


def member_since(env, phone, since="2023-01-01 00:00+07"):
    """The employee belonged to its unit since then (as if it had joined long ago)."""
    env.db.sql("UPDATE employee_units SET valid_from = :'t' WHERE employee_id = :'e'", f"t={since}",
               f"e={phone.employee_id}")


def checkin(env, phone, unit, day, type, hhmm):
    """A check-in stored as the service would have, at hh:mm Jakarta time on day; its id."""
    return env.db.sql("INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,"
               " local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, payload, signature, judged_at,"
               " counts_for_day, after_closure)"
               " VALUES (:'e', :'u', :'d', :'n', :'type', 'WFO', :'t', :'t', :'day', -6.18, 106.83, 10, false, true,"
               " 0, '\\x00', '\\x00', :'t', true, false) RETURNING id", f"e={phone.employee_id}", f"u={unit['id']}",
               f"d={phone.device_id}", f"n={secrets.token_hex(11)}", f"type={type}", f"t={day} {hhmm}+07",
               f"day={day}")[0][0]


def close(env, day):
    code, lines = run_svc(["close-day", "--date", day], base_env(env.db.url))
    eq(code, 0, f"close-day {day}: {lines[-3:]}")
    return json.loads(lines[-1])


def flags(env, phone, code=None):
    rows = env.db.sql("SELECT day, code, unit_id FROM violations WHERE employee_id = :'e'"
                      " AND code IN ('ABSENT', 'NO_CHECKOUT') ORDER BY day, code", f"e={phone.employee_id}")
    return [tuple(r) for r in rows if code is None or r[1] == code]


@test
def the_closure_flags_absent_and_no_checkout_once(env):
    on_time, late, absent, no_out = (Phone(env.svc, env.db, env.unit["id"]) for _ in range(4))
    for p in (on_time, late, absent, no_out):
        member_since(env, p)
    checkin(env, on_time, env.unit, DAY, "in", "07:20")
    checkin(env, on_time, env.unit, DAY, "out", "16:10")
    checkin(env, late, env.unit, DAY, "in", "08:05")
    checkin(env, late, env.unit, DAY, "out", "16:00")
    checkin(env, no_out, env.unit, DAY, "out", "06:00")  # an out before the in does not close it
    checkin(env, no_out, env.unit, DAY, "in", "07:25")
    report = close(env, DAY)
    check(report["absent_flagged"] >= 1 and report["no_checkout_flagged"] >= 1, f"report {report}")
    eq(flags(env, on_time) + flags(env, late), [], "the on-time and the late ones")
    eq(flags(env, absent), [(DAY, "ABSENT", env.unit["id"])], "the absent one")
    eq(flags(env, no_out), [(DAY, "NO_CHECKOUT", env.unit["id"])], "the one without an out")
    again = close(env, DAY)
    eq((again["absent_flagged"], again["no_checkout_flagged"]), (0, 0), "a second run flags nothing")
    eq(len(flags(env, absent)) + len(flags(env, no_out)), 2, "still once each")


@test
def a_retry_after_the_closure_gets_the_first_answer(env):
    # NO_CHECKOUT is not tied to the "in" it names, so a phone retrying that "in" still gets the same body.
    # A unit that believes a phone's time a day late, so that yesterday's "in" is yesterday's.
    a = env.agency
    unit = a.unit(a.prefix + "-CR", "administrative", parent_id=a.top["id"], sync_tolerance_s=86400)
    a.office(unit["id"])
    p = Phone(env.svc, env.db, unit["id"])
    captured = time.time() - 86400 + 30
    payload = p.payload(captured_at=rfc3339(captured))
    first = p.post(payload)
    eq(first.status, 201, f"yesterday's in: {first}")
    day = datetime.datetime.fromtimestamp(captured, zoneinfo.ZoneInfo("Asia/Jakarta")).date().isoformat()
    close(env, day)
    eq(flags(env, p, "NO_CHECKOUT"), [(day, "NO_CHECKOUT", unit["id"])], "flagged")
    evidence = json.loads(env.db.sql("SELECT evidence FROM violations WHERE employee_id = :'e' AND code = 'NO_CHECKOUT'",
                                     f"e={p.employee_id}")[0][0])
    eq(evidence["last_in_checkin_id"], first.json()["checkin_id"], "the in it names")
    again = p.post(payload)
    eq((again.status, again.json()), (200, first.json()), "the retry's answer")


@test
def weekends_and_holidays_are_not_work_days(env):
    p = Phone(env.svc, env.db, env.unit["id"])
    member_since(env, p)
    a = env.agency
    r = env.svc.request("POST", "/v1/holidays", {"date": "2023-09-06", "name": "Libur dinas",
                                                  "agency_id": a.top["id"]}, token=a.admin)
    eq(r.status, 201, f"agency holiday: {r}")
    r = env.svc.request("POST", "/v1/holidays", {"date": "2023-09-07", "name": "Libur nasional"}, token=a.admin)
    eq(r.status, 201, f"national holiday: {r}")
    for day in ("2023-09-09", "2023-09-10", "2023-09-06", "2023-09-07"):
        close(env, day)
    eq(flags(env, p), [], "Saturday, Sunday, the agency's and the national holiday")
    close(env, "2023-09-08")
    eq(flags(env, p), [("2023-09-08", "ABSENT", env.unit["id"])], "Friday is a work day")


@test
def joining_and_moving_units_count_where_the_employee_was(env):
    joined = Phone(env.svc, env.db, env.unit["id"])  # joined today: not expected on DAY
    close(env, DAY)
    eq(flags(env, joined), [], "no ABSENT before joining")
    moved = Phone(env.svc, env.db, env.unit["id"])
    member_since(env, moved)
    # Moved to the other unit on 12 Sep 2023 at 10:00: the 12th began in the first unit.
    env.db.sql("UPDATE employee_units SET valid_to = '2023-09-12 10:00+07' WHERE employee_id = :'e'",
               f"e={moved.employee_id}")
    env.db.sql("INSERT INTO employee_units (employee_id, unit_id, valid_from) VALUES (:'e', :'u', '2023-09-12 10:00+07')",
               f"e={moved.employee_id}", f"u={env.other['id']}")
    for day in ("2023-09-12", "2023-09-13"):
        close(env, day)
    eq(flags(env, moved), [("2023-09-12", "ABSENT", env.unit["id"]), ("2023-09-13", "ABSENT", env.other["id"])],
       "the old unit on the day of the move, the new one after")
    # The trigger keeps the history when the unit changes through the API's table.
    env.db.sql("UPDATE employees SET unit_id = :'u' WHERE id = :'e'", f"u={env.other['id']}", f"e={joined.employee_id}")
    rows = env.db.sql("SELECT unit_id, valid_to IS NULL FROM employee_units WHERE employee_id = :'e' ORDER BY valid_from",
                      f"e={joined.employee_id}")
    eq([r[1] for r in rows], ["f", "t"], "one closed membership, one current")


@test
def a_day_not_over_yet_is_left_for_later(env):
    p = Phone(env.svc, env.db, env.unit["id"])
    member_since(env, p)
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jayapura")).date().isoformat()
    report = close(env, today)
    check(report["units_not_over_yet"] >= 2, f"report {report}")
    eq(flags(env, p), [], "today is not closed")
    code, lines = run_svc(["close-day", "--date", "2023-02-30"], base_env(env.db.url))
    eq(code, 2, "not a date")
    code, lines = run_svc(["close-day"], base_env(env.db.url))
    eq(code, 2, "no date")


@test
def discipline_counts_what_was_not_dismissed(env):
    p = Phone(env.svc, env.db, env.unit["id"])
    member_since(env, p)
    for day in ("2023-10-02", "2023-10-03", "2023-10-04", "2023-10-05"):
        close(env, day)
    env.db.sql("UPDATE violations SET status = 'dismissed' WHERE employee_id = :'e' AND day = '2023-10-05'",
               f"e={p.employee_id}")
    for day, minutes in (("2023-10-09", 300), ("2023-10-10", 149)):
        env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code, evidence) VALUES (:'e', :'u', :'d',"
                   " 'LATE_ARRIVAL', jsonb_build_object('late_minutes', :'m'::int))", f"e={p.employee_id}",
                   f"u={env.unit['id']}", f"d={day}", f"m={minutes}")
    # Out at noon (240 minutes early), back, out on time: only the day's last out counts.
    noon = checkin(env, p, env.unit, "2023-10-11", "out", "12:00")
    checkin(env, p, env.unit, "2023-10-11", "out", "16:05")
    early = checkin(env, p, env.unit, "2023-10-12", "out", "15:59")
    for checkin_id, day, minutes in ((noon, "2023-10-11", 240), (early, "2023-10-12", 1)):
        env.db.sql("INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, evidence) VALUES (:'e', :'u',"
                   " :'c', :'d', 'EARLY_DEPARTURE', jsonb_build_object('early_minutes', :'m'::int))",
                   f"e={p.employee_id}", f"u={env.unit['id']}", f"c={checkin_id}", f"d={day}", f"m={minutes}")
    # Pending flags are not yet unexcused: nothing counts before a reviewer confirms them.
    r = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year=2023", token=p.token)
    eq(r.status, 200, f"the employee's own: {r}")
    d = r.json()
    eq((d["confirmed_days"], d["pending_days"], d["pending_late_minutes"], d["pending_early_minutes"],
        d["pending_minute_days"], d["suggested_sanction"]), (0, 3, 449, 1, 1, None), "all of it pending")
    env.db.sql("UPDATE violations SET status = 'confirmed' WHERE employee_id = :'e' AND status = 'pending'",
               f"e={p.employee_id}")
    r = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year=2023", token=p.token)
    d = r.json()
    eq((d["absent_days"], d["late_minutes"], d["early_minutes"], d["minute_days"], d["total_days"]),
       (3, 449, 1, 1, 4), "three absent days (one dismissed), 450 minutes make a day")
    eq((d["confirmed_days"], d["pending_days"], d["suggested_sanction"]), (3, 0, "teguran_tertulis"), "confirmed")
    eq((d["status"], {t["status"] for t in d["thresholds"]}), ("pns", {"pns"}), "the thresholds of a PNS")
    check(all(t["article"] and t["in_force_from"] for t in d["thresholds"]), "each with its article and date")
    eq((d["divisor"]["minutes"], d["divisor"]["regulation"], d["divisor"]["in_force_from"]),
       (450, "Peraturan BKN 6/2022", "2022-04-06"), "the 7.5-hour divisor, dated")
    eq(d["longest_absent_run"], 3, "2 to 4 October")
    eq((d["suggested"]["sanction"], d["suggested"]["level"]), ("teguran_tertulis", "ringan"), "4 days")
    r = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year=2022", token=env.agency.admin)
    eq((r.json()["total_days"], r.json()["suggested"]), (0, None), "another year")
    other = Phone(env.svc, env.db, env.unit["id"])
    eq(env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline", token=other.token).status, 404,
       "another employee")
    name = "sup-" + secrets.token_hex(3)
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id) SELECT :'n', password_hash, 'supervisor',"
               " :'u' FROM accounts WHERE username = 'admin'", f"n={name}", f"u={env.other['id']}")
    eq(env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline", token=login(env.svc, name, ADMIN_PASSWORD))
       .status, 404, "a supervisor of another unit")
    r = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year=20x3", token=env.agency.admin)
    eq(r.status, 422, "a bad year")


@test
def the_holiday_calendar_is_kept_by_admins(env):
    a = env.agency
    body = {"date": "2023-12-25", "name": "Hari Raya Natal", "kind": "holiday"}
    r = env.svc.request("POST", "/v1/holidays", body, token=a.admin)
    eq(r.status, 201, f"create: {r}")
    created = r.json()
    eq((created["date"], created["agency_id"], created["kind"]), ("2023-12-25", None, "holiday"), "fields")
    eq(env.svc.request("POST", "/v1/holidays", body, token=a.admin).status, 409, "the same day twice")
    eq(env.svc.request("POST", "/v1/holidays", dict(body, agency_id=a.top["id"]), token=a.admin).status, 201,
       "the same day in an agency's calendar too")
    r = env.svc.request("POST", "/v1/holidays", dict(body, agency_id=a.unit_a["id"]), token=a.admin)
    eq((r.status, r.json()["error"].get("field")), (422, "agency_id"), "not a top-level unit")
    for bad, field in (({"name": "x"}, "date"), ({"date": "2023-13-01", "name": "x"}, "date"),
                       ({"date": "2023-12-26", "name": ""}, "name"),
                       ({"date": "2023-12-26", "name": "x", "kind": "party"}, "kind")):
        r = env.svc.request("POST", "/v1/holidays", bad, token=a.admin)
        eq(r.json()["error"].get("field"), field, f"{bad}: {r}")
    r = env.svc.request("GET", "/v1/holidays?year=2023", token=a.admin)
    days = [h["date"] for h in r.json()["items"]]
    check("2023-12-25" in days and days == sorted(days), f"listed by day: {days}")
    eq(env.svc.request("DELETE", f"/v1/holidays/{created['id']}", token=a.admin).status, 200, "delete")
    eq(env.svc.request("DELETE", f"/v1/holidays/{created['id']}", token=a.admin).status, 404, "gone")
    audited = env.db.sql("SELECT action FROM audit_log WHERE entity = 'holiday' AND entity_id = :'i' ORDER BY id",
                         f"i={created['id']}")
    eq(audited, [["create"], ["delete"]], "audited")


@test
def no_lateness_on_a_holiday(env):
    a = env.agency
    agency = a.unit(a.prefix + "-HOL", "administrative")
    every_day = {d: ["00:00", "00:01"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    unit = a.unit(a.prefix + "-HL", "administrative", parent_id=agency["id"], work_hours=every_day)
    a.office(unit["id"])  # an "in" outside every office is no arrival, and cannot be late
    first = Phone(env.svc, env.db, unit["id"])
    r = first.checkin()
    codes = [v["code"] for v in r.json()["violations"]]
    check("LATE_ARRIVAL" in codes, f"after 00:01 on a work day: {codes}")
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date().isoformat()
    eq(env.svc.request("POST", "/v1/holidays", {"date": today, "name": "Cuti bersama", "kind": "collective_leave",
                                                "agency_id": agency["id"]}, token=a.admin).status, 201, "holiday")
    second = Phone(env.svc, env.db, unit["id"])
    r = second.checkin()
    codes = [v["code"] for v in r.json()["violations"]]
    check("LATE_ARRIVAL" not in codes, f"on the agency's holiday: {codes}")


@test
def a_run_of_absence_across_the_year_end_is_one_run(env):
    """Eleven confirmed absent work days from 18 December 2023 to 3 January 2024 (Christmas and New Year's Day
    off): the consecutive rule (10) is met in both years, though neither year alone has ten."""
    p = Phone(env.svc, env.db, env.unit["id"])
    days = ["2023-12-18", "2023-12-19", "2023-12-20", "2023-12-21", "2023-12-22", "2023-12-26", "2023-12-27",
            "2023-12-28", "2023-12-29", "2024-01-02", "2024-01-03"]
    env.db.sql("INSERT INTO holidays (day, name) VALUES ('2023-12-25', 'Natal'), ('2024-01-01', 'Tahun Baru')"
               " ON CONFLICT DO NOTHING")
    for day in days:
        env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code, status) VALUES (:'e', :'u', :'d',"
                   " 'ABSENT', 'confirmed')", f"e={p.employee_id}", f"u={env.unit['id']}", f"d={day}")
    # A PPPK's ladder has no demotion (PP 49/2018): its thresholds are its own.
    r = env.svc.request("PATCH", f"/v1/employees/{p.employee_id}", {"status": "pppk"}, token=env.agency.admin)
    eq((r.status, r.json()["status"]), (200, "pppk"), f"status: {r}")
    eq(env.svc.request("PATCH", f"/v1/employees/{p.employee_id}", {"status": "honorer"},
                       token=env.agency.admin).error_code(), "invalid_value", "an unknown status")
    d = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year=2023", token=p.token).json()
    eq({t["regulation"] for t in d["thresholds"]}, {"PP 49/2018"}, "the PPPK's thresholds")
    check("penurunan_jabatan" not in {t["sanction"] for t in d["thresholds"]}, "no demotion on a contract")
    for year, in_year in ((2023, 9), (2024, 2)):
        d = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year={year}", token=p.token).json()
        eq((d["confirmed_days"], d["longest_absent_run"]), (in_year, 11), f"{year}")
        eq((d["suggested"]["rule"], d["suggested_sanction"]), ("consecutive", "pemberhentian"), f"{year}'s rule")
