"""Working time as the rules set it (issue 24): dated hours, check-in windows, grace made up, flexible start,
missing check-outs, rest days and night shifts, through the API, the check-in rules and the closure."""
import datetime
import json
import zoneinfo

from harness import BELIEVE_PHONES, Agency, Phone, admin_env, base_env, check, eq, make_staff, rfc3339, run_svc, test

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    return env


def teardown(env):
    env.close()


def at(day, hhmm):
    """Unix time of hh:mm Jakarta time on day (YYYY-MM-DD)."""
    return datetime.datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=WIB).timestamp()


def member_since(env, phone, since="2020-01-01 00:00+07"):
    env.db.sql("UPDATE employee_units SET valid_from = :'t' WHERE employee_id = :'e'", f"t={since}",
               f"e={phone.employee_id}")


def phones(env, unit, n):
    out = [Phone(env.svc, env.db, unit["id"]) for _ in range(n)]
    for p in out:
        member_since(env, p)
    return out


def checkin(phone, type, day, hhmm, **fields):
    """A check-in captured at hh:mm on day (a unit that believes phones' clocks); its codes (but LATE_SYNC: it is
    sent today), its day and whether it counts for the day."""
    r = phone.checkin(type=type, captured_at=rfc3339(at(day, hhmm)), **fields)
    eq(r.status, 201, f"{type} at {day} {hhmm}: {r}")
    body = r.json()
    local_day, counts = phone.db.sql("SELECT local_day, counts_for_day FROM checkins WHERE id = :'c'",
                                     f"c={body['checkin_id']}")[0]
    return sorted(v["code"] for v in body["violations"] if v["code"] != "LATE_SYNC"), local_day, counts == "t"


def close(env, day):
    code, lines = run_svc(["close-day", "--date", day], base_env(env.db.url))
    eq(code, 0, f"close-day {day}: {lines[-3:]}")
    return json.loads(lines[-1])


def flags(env, phone):
    return [tuple(r) for r in env.db.sql("SELECT day, code FROM violations WHERE employee_id = :'e'"
                                         " AND code IN ('ABSENT', 'NO_CHECKOUT') ORDER BY day, code",
                                         f"e={phone.employee_id}")]


def roster(env, unit, day, entries, token):
    return env.svc.request("PUT", f"/v1/units/{unit['id']}/roster/{day}", {"entries": entries}, token=token)


@test
def a_hospital_on_a_24_hour_rota_is_rostered_checked_in_and_closed_without_a_false_flag(env):
    a = env.agency
    # A hospital serves round the clock (Perpres 21/2023 Art. 7): its week is every day, its people work shifts.
    week = {d: ["07:00", "14:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    unit = a.unit(a.prefix + "-RS", "critical", parent_id=a.top["id"], work_hours=week, **BELIEVE_PHONES)
    a.office(unit["id"])
    supervisor = make_staff(env, "supervisor", unit["id"])
    morning, afternoon, night, early_night, resting = phones(env, unit, 5)
    day, next_day = "2026-01-31", "2026-02-01"  # a Saturday at a month's end, and the Sunday after
    r = roster(env, unit, day, [
        {"employee_id": str(morning.employee_id), "mode": "WFO", "start": "07:00", "end": "14:00"},
        {"employee_id": str(afternoon.employee_id), "mode": "WFO", "start": "14:00", "end": "21:00"},
        {"employee_id": str(night.employee_id), "mode": "WFO", "start": "21:00", "end": "07:00"},
        {"employee_id": str(early_night.employee_id), "mode": "WFO", "start": "21:00", "end": "07:00"},
        {"employee_id": str(resting.employee_id), "mode": "OFF"}], supervisor)
    eq(r.status, 200, f"the rota: {r}")
    eq((r.json()["off"], r.json()["wfo"]), (1, 4), "one at rest, four at the hospital")
    back = {e["employee_id"]: e for e in r.json()["entries"]}
    eq((back[str(night.employee_id)]["start"], back[str(night.employee_id)]["end"]), ("21:00", "07:00"),
       "the night shift read back")
    eq(back[str(resting.employee_id)]["mode"], "OFF", "the rest day read back")
    # The next day: the night shift rests, the others work the morning; so the rest of the 1st is the 1st's.
    r = roster(env, unit, next_day, [
        {"employee_id": str(night.employee_id), "mode": "OFF"},
        {"employee_id": str(early_night.employee_id), "mode": "OFF"},
        {"employee_id": str(morning.employee_id), "mode": "WFO", "start": "07:00", "end": "14:00"},
        {"employee_id": str(afternoon.employee_id), "mode": "OFF"},
        {"employee_id": str(resting.employee_id), "mode": "WFO", "start": "07:00", "end": "14:00"}], supervisor)
    eq(r.status, 200, f"the next day's rota: {r}")

    eq(checkin(morning, "in", day, "06:55"), ([], day, True), "the morning's in")
    eq(checkin(morning, "out", day, "14:02"), ([], day, True), "the morning's out")
    eq(checkin(afternoon, "in", day, "13:58"), ([], day, True), "the afternoon's in")
    eq(checkin(afternoon, "out", day, "21:05"), ([], day, True), "the afternoon's out")
    eq(checkin(night, "in", day, "20:55"), ([], day, True), "the night's in")
    # 07:03 on the 1st ends the night of the 31st: its day is the 31st, and it is on time.
    eq(checkin(night, "out", next_day, "07:03"), ([], day, True), "the night's out, the next morning")
    eq(checkin(early_night, "in", day, "20:59"), ([], day, True), "the other night's in")
    eq(checkin(early_night, "out", next_day, "06:50"), (["EARLY_DEPARTURE"], day, True),
       "a night left at 06:50 is 10 minutes early")
    evidence = json.loads(env.db.sql("SELECT evidence FROM violations WHERE employee_id = :'e'"
                                     " AND code = 'EARLY_DEPARTURE'", f"e={early_night.employee_id}")[0][0])
    eq((evidence["end"], evidence["early_minutes"]), ("07:00", 10), "judged against the shift's end")
    # The morning shift of the 1st: its day is the 1st (the night before was not theirs).
    eq(checkin(morning, "in", next_day, "06:58"), ([], next_day, True), "the 1st's morning in")
    eq(checkin(morning, "out", next_day, "14:00"), ([], next_day, True), "the 1st's morning out")
    eq(checkin(resting, "in", next_day, "07:00"), ([], next_day, True), "the one rested on the 31st, on the 1st")
    eq(checkin(resting, "out", next_day, "14:00"), ([], next_day, True), "and out")

    close(env, day)
    close(env, next_day)
    for p, who in ((morning, "morning"), (afternoon, "afternoon"), (night, "night"), (early_night, "early night"),
                   (resting, "rest day")):
        eq(flags(env, p), [], f"no ABSENT or NO_CHECKOUT: {who}")
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/days/{day}", token=supervisor)
    eq(r.status, 200, f"the unit's day: {r}")
    states = {e["employee_id"]: (e["state"], e["start"], e["end"]) for e in r.json()["employees"]}
    eq(states[str(resting.employee_id)], ("off", None, None), "the rest day on the unit's day")
    eq(states[str(night.employee_id)], ("present", "21:00", "07:00"), "the night shift on the unit's day")


@test
def a_night_shift_keeps_its_day_open_until_it_is_over(env):
    a = env.agency
    unit = a.unit(a.prefix + "-RN", "critical", parent_id=a.top["id"], **BELIEVE_PHONES)
    a.office(unit["id"])
    supervisor = make_staff(env, "supervisor", unit["id"])
    (nurse,) = phones(env, unit, 1)
    today = datetime.datetime.now(WIB).date()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    # A night of yesterday from 23:59 that ended an hour ago (or at 23:58 today): yesterday is over in Jakarta,
    # but its night's check-out may come for 4 hours more.
    end = min((datetime.datetime.now(WIB) - datetime.timedelta(hours=1)).strftime("%H:%M"), "23:58")
    if datetime.datetime.now(WIB).hour < 1:
        end = "23:58"
    start = "23:59"
    r = roster(env, unit, yesterday, [{"employee_id": str(nurse.employee_id), "mode": "WFO", "start": start,
                                       "end": end}], supervisor)
    eq(r.status, 200, f"a long night: {r}")
    report = close(env, yesterday)
    check(report["units_not_over_yet"] >= 1, f"the unit is left open: {report}")
    eq(flags(env, nurse), [], "no ABSENT before the night is over")
    eq(env.db.sql("SELECT count(*) FROM closed_days WHERE unit_id = :'u' AND day = :'d'", f"u={unit['id']}",
                  f"d={yesterday}"), [["0"]], "yesterday is not closed for the hospital")


@test
def the_next_nights_closure_closes_a_night_its_own_left_open(env):
    a = env.agency
    unit = a.unit(a.prefix + "-RM", "critical", parent_id=a.top["id"], **BELIEVE_PHONES)
    a.office(unit["id"])
    supervisor = make_staff(env, "supervisor", unit["id"])
    stays, forgets, never = phones(env, unit, 3)
    day, next_day = "2025-12-31", "2026-01-01"  # across a year's end
    night = {"mode": "WFO", "start": "19:00", "end": "07:00"}
    r = roster(env, unit, day, [dict(night, employee_id=str(p.employee_id)) for p in (stays, forgets, never)],
               supervisor)
    eq(r.status, 200, f"three nights: {r}")
    r = roster(env, unit, next_day, [{"employee_id": str(p.employee_id), "mode": "OFF"}
                                     for p in (stays, forgets, never)], supervisor)
    eq(r.status, 200, f"and rest: {r}")
    eq(checkin(stays, "in", day, "18:58")[1:], (day, True), "an in")
    eq(checkin(stays, "out", next_day, "07:01"), ([], day, True), "its out, the next year")
    eq(checkin(forgets, "in", day, "19:00")[1:], (day, True), "an in with no out")
    # As if the nightly of the 31st had run at 01:30 on the 1st, before the nights were over: nothing closed.
    close(env, next_day)
    eq(env.db.sql("SELECT count(*) FROM closed_days WHERE unit_id = :'u' AND day = :'d'", f"u={unit['id']}",
                  f"d={day}"), [["1"]], "the 1st's closure closed the 31st's nights")
    eq(flags(env, stays), [], "the night checked out the next morning")
    eq(flags(env, forgets), [(day, "NO_CHECKOUT")], "the night without an out")
    eq(flags(env, never), [(day, "ABSENT")], "the night not worked")
    report = close(env, next_day)
    eq((report["absent_flagged"], report["no_checkout_flagged"]), (0, 0), "once")


@test
def a_rest_day_between_two_absences_does_not_break_their_run(env):
    a = env.agency
    unit = a.unit(a.prefix + "-RA", "critical", parent_id=a.top["id"])
    supervisor = make_staff(env, "supervisor", unit["id"])
    (p,) = phones(env, unit, 1)
    shift = {"employee_id": str(p.employee_id), "mode": "WFO", "start": "07:00", "end": "14:00"}
    for day, entry in (("2025-12-08", shift), ("2025-12-09", {"employee_id": str(p.employee_id), "mode": "OFF"}),
                       ("2025-12-10", shift)):  # a Monday shift, a Tuesday at rest, a Wednesday shift
        eq(roster(env, unit, day, [entry], supervisor).status, 200, f"the rota of {day}")
        close(env, day)
    eq(flags(env, p), [("2025-12-08", "ABSENT"), ("2025-12-10", "ABSENT")], "absent on both shifts, not at rest")
    # The run counts confirmed days (PP 94/2021: after a reviewer found no valid reason).
    reviewer = make_staff(env, "reviewer", a.top["id"])
    for (vid,) in env.db.sql("SELECT id FROM violations WHERE employee_id = :'e' AND code = 'ABSENT'",
                             f"e={p.employee_id}"):
        r = env.svc.request("POST", f"/v1/violations/{vid}/decision", {"decision": "confirmed", "sanction": None,
                                                                        "note": "tanpa keterangan", "version": 1},
                            token=reviewer)
        eq(r.status, 200, f"confirmed: {r}")
    r = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year=2025", token=a.admin)
    eq((r.status, r.json()["longest_absent_run"]), (200, 2), "two consecutive work days absent")


@test
def rest_days_and_shifts_are_checked_in_the_roster(env):
    a = env.agency
    unit = a.unit(a.prefix + "-RC", "critical", parent_id=a.top["id"])
    supervisor = make_staff(env, "supervisor", unit["id"])
    (p,) = phones(env, unit, 1)
    for entry, field in (({"mode": "OFF", "start": "07:00"}, "entries[0].start"),
                         ({"mode": "OFF", "end": "07:00"}, "entries[0].end"),
                         ({"mode": "WFO", "start": "07:00", "end": "07:00"}, "entries[0].end"),
                         ({"mode": "REST"}, "entries[0].mode")):
        r = roster(env, unit, "2026-01-31", [dict(entry, employee_id=str(p.employee_id))], supervisor)
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (422, "invalid_value", field), f"{entry}")


@test
def dki_in_ramadan_is_judged_by_its_dated_hours(env):
    a = env.agency
    # SE Sekda DKI 1/2023: 08:00-16:00 Monday to Thursday, 08:00-16:30 on Friday.
    dki_week = {d: ["08:00", "16:00"] for d in ("mon", "tue", "wed", "thu")}
    dki_week["fri"] = ["08:00", "16:30"]
    unit = a.unit(a.prefix + "-DK", "administrative", parent_id=a.top["id"], work_hours=dki_week, **BELIEVE_PHONES)
    a.office(unit["id"])
    ramadan = {"name": "Kepgub DKI 199/2023: Ramadan 1444 H", "starts_on": "2023-03-23", "ends_on": "2023-04-20",
               "applies_to": ["administrative", "direct_service", "essential", "critical"], "unit_id": a.top["id"],
               "work_hours": {d: ["07:00", "14:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}
    r = env.svc.request("POST", "/v1/hours", ramadan, token=a.admin)
    eq(r.status, 201, f"the Ramadan hours: {r}")
    hours = r.json()
    eq((hours["priority"], hours["work_hours"]["thu"], hours["unit_id"]), (0, ["07:00", "14:00"], a.top["id"]),
       "its document")
    eq(env.svc.request("GET", f"/v1/hours/{hours['id']}", token=a.admin).json(), hours, "read back")
    listed = env.svc.request("GET", f"/v1/hours?date=2023-03-23&unit_id={unit['id']}", token=a.admin).json()
    eq([h["id"] for h in listed["items"]], [hours["id"]], "in force on Ramadan's first day")
    listed = env.svc.request("GET", f"/v1/hours?date=2023-03-22&unit_id={unit['id']}", token=a.admin).json()
    eq(listed["items"], [], "not the day before")

    on_time, late = phones(env, unit, 2)
    eq(checkin(on_time, "in", "2023-03-22", "07:58")[0], [], "the day before Ramadan: 08:00")
    eq(checkin(on_time, "out", "2023-03-22", "15:00")[0], ["EARLY_DEPARTURE"], "the day before ends at 16:00")
    eq(checkin(on_time, "in", "2023-03-23", "06:58")[0], [], "Ramadan's first day")
    eq(checkin(on_time, "out", "2023-03-23", "14:00")[0], [], "ends at 14:00")
    eq(checkin(late, "in", "2023-03-23", "07:01")[0], ["LATE_ARRIVAL"], "07:01 is late in Ramadan")
    eq(checkin(late, "out", "2023-03-23", "14:05")[0], [], "and out")
    close(env, "2023-03-23")
    eq(flags(env, on_time) + flags(env, late), [], "Ramadan's first day closed without a false flag")
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/days/2023-03-23", token=a.admin)
    eq(r.status, 200, f"the unit's day: {r}")
    eq((r.json()["hours"]["work_hours"], r.json()["hours"]["dated_hours"]),
       (["07:00", "14:00"], {"id": hours["id"], "name": ramadan["name"]}), "the unit's day shows Ramadan's hours")
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/days/2023-03-22", token=a.admin)
    eq((r.json()["hours"]["work_hours"], r.json()["hours"]["dated_hours"]), (["08:00", "16:00"], None),
       "and the unit's own the day before")

    # A priority-1 day within it (a unit's own) governs over it.
    r = env.svc.request("POST", "/v1/hours", dict(ramadan, name="Half day", starts_on="2023-03-24",
                                                  ends_on="2023-03-24", priority=1, unit_id=unit["id"],
                                                  work_hours={"fri": ["07:00", "11:00"]}), token=a.admin)
    eq(r.status, 201, f"a half day: {r}")
    eq(checkin(on_time, "in", "2023-03-24", "06:59")[0], [], "the half day's in")
    eq(checkin(on_time, "out", "2023-03-24", "11:00")[0], [], "the half day ends at 11:00")


@test
def dated_hours_are_checked(env):
    a = env.agency
    good = {"name": "Ramadan", "starts_on": "2026-02-18", "ends_on": "2026-03-19", "applies_to": ["administrative"],
            "work_hours": {"mon": ["08:00", "14:30"]}}
    for change, status, code, field in (
            ({"work_hours": None}, 422, "invalid_value", "work_hours"),
            ({"work_hours": {"mon": ["14:30", "08:00"]}}, 422, "invalid_value", "work_hours"),
            ({"work_hours": {"lun": ["08:00", "14:30"]}}, 422, "invalid_value", "work_hours"),
            ({"ends_on": "2026-02-17"}, 422, "invalid_value", "ends_on"),
            ({"applies_to": ["hospital"]}, 422, "invalid_value", "applies_to"),
            ({"unit_id": "999999999"}, 422, "invalid_value", "unit_id"),
            ({"priority": 1.5}, 422, "invalid_value", "priority")):
        r = env.svc.request("POST", "/v1/hours", dict(good, **change), token=a.admin)
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (status, code, field), f"{change}")
    body = dict(good)
    del body["work_hours"]
    r = env.svc.request("POST", "/v1/hours", body, token=a.admin)
    eq((r.status, r.json()["error"].get("field")), (400, "work_hours"), "work_hours is required")
    supervisor = make_staff(env, "supervisor", a.unit_a["id"])
    eq(env.svc.request("POST", "/v1/hours", good, token=supervisor).status, 403, "only an admin sets hours")
    eq(env.svc.request("GET", "/v1/hours/999999999", token=a.admin).status, 404, "no such hours")


@test
def windows_flexible_start_grace_made_up_and_a_missing_checkout(env):
    a = env.agency
    unit = a.unit(a.prefix + "-WF", "administrative", parent_id=a.top["id"], grace_minutes=15, grace_made_up=True,
                  flex_minutes=60, missing_out_minutes=90,
                  checkin_windows={"in": ["06:00", "10:00"], "out": ["15:00", "18:00"]}, **BELIEVE_PHONES)
    eq((unit["checkin_windows"], unit["grace_made_up"], unit["flex_minutes"], unit["missing_out_minutes"]),
       ({"in": ["06:00", "10:00"], "out": ["15:00", "18:00"]}, True, 60, 90), "the unit's settings")
    plain = a.unit(a.prefix + "-WP", "administrative", parent_id=a.top["id"])
    eq((plain["checkin_windows"], plain["grace_made_up"], plain["flex_minutes"], plain["missing_out_minutes"]),
       (None, False, 0, 0), "the defaults")
    a.office(unit["id"])
    early_bird, flexible, forgetful = phones(env, unit, 3)
    day = "2025-11-03"  # a Monday: 07:30-16:00
    eq(checkin(early_bird, "in", day, "05:59"), (["OUTSIDE_WINDOW"], day, False), "before the in window")
    eq(checkin(early_bird, "in", day, "06:00"), ([], day, True), "the window's first minute")
    eq(checkin(early_bird, "out", day, "18:01"), (["OUTSIDE_WINDOW"], day, False), "after the out window")
    eq(checkin(early_bird, "out", day, "18:00"), ([], day, True), "the out window's last minute")
    # 08:40: the flexible hour starts the day at 08:30, 10 minutes late within the grace, made up: out at 17:10.
    eq(checkin(flexible, "in", day, "08:40"), ([], day, True), "within the flexible hour and the grace")
    eq(checkin(flexible, "out", day, "17:05"), (["EARLY_DEPARTURE"], day, True), "before 17:10")
    eq(checkin(flexible, "out", day, "17:10"), ([], day, True), "at 17:10")
    eq(checkin(forgetful, "in", day, "07:20"), ([], day, True), "an in with no out")
    close(env, day)
    eq(flags(env, forgetful), [(day, "NO_CHECKOUT")], "no check-out")
    eq(flags(env, early_bird) + flags(env, flexible), [], "the others")
    r = env.svc.request("GET", f"/v1/employees/{forgetful.employee_id}/discipline?year=2025", token=a.admin)
    eq(r.status, 200, f"discipline: {r}")
    body = r.json()
    eq(body["pending_early_minutes"], 90, f"a missing check-out counts 90 early minutes (pending): {body}")
    for bad, field in (({"flex_minutes": 241}, "flex_minutes"), ({"missing_out_minutes": -1}, "missing_out_minutes"),
                       ({"grace_made_up": "yes"}, "grace_made_up"),
                       ({"checkin_windows": {"in": ["10:00", "06:00"]}}, "checkin_windows"),
                       ({"checkin_windows": {"lunch": ["12:00", "13:00"]}}, "checkin_windows")):
        body = {"code": a.prefix + "-X", "name": "X", "category": "administrative", "timezone": "Asia/Jakarta"}
        body.update(bad)
        r = env.svc.request("POST", "/v1/units", body, token=a.admin)
        eq((r.status // 100, r.json()["error"].get("field")), (4, field), f"{bad}")
