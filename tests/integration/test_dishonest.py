"""The record true against a dishonest phone (issue 17; CONTRACT.md "The record is judged on times the service
can trust"): each trick of the issue tried through the API, as a dishonest employee would."""
import datetime
import os
import secrets
import shutil
import subprocess
import tempfile
import zoneinfo

from harness import (DAYS, SVC, Agency, Database, Phone, admin_env, base_env, check, check_sanitizers, eq, hhmm, jpeg,
                     make_staff, migrate_before, rfc3339, run_svc, test, zone_where)

HOME = (-6.30, 106.70)  # some 20 km from the office at Balai Kota


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.reviewer = make_staff(env, "reviewer", env.agency.top["id"])
    env.work = tempfile.mkdtemp(prefix="dishonest-")
    env.key_file = os.path.join(env.work, "export.key")
    out = subprocess.run([SVC, "export-keygen", "--out", env.key_file], env=base_env(env.db.url),
                         capture_output=True, text=True, timeout=60)
    check_sanitizers(out.stderr, "export-keygen")
    check(out.returncode == 0, f"export-keygen: {out.stderr}")
    return env


def teardown(env):
    shutil.rmtree(env.work, ignore_errors=True)
    env.close()


def unit_with_hours(env, zone, start, end, **extra):
    """A unit working start-end every day in zone, with an office around Phone's default point."""
    a = env.agency
    unit = a.unit(f"{a.prefix}-{secrets.token_hex(3).upper()}", "administrative", timezone=zone,
                  parent_id=a.top["id"], work_hours={d: [start, end] for d in DAYS}, **extra)
    a.office(unit["id"])
    return unit


def yesterday_unit(env):
    """A unit working 07:30-16:00 every day that believes a phone's time for a day, in a zone where yesterday lies
    within the last 24 hours from 07:00 on; with yesterday and a function of (hour, minute) to yesterday's RFC 3339."""
    zone, now = zone_where(1, 7)
    tz = zoneinfo.ZoneInfo(zone)
    yday = now.date() - datetime.timedelta(days=1)
    unit = unit_with_hours(env, zone, "07:30", "16:00", sync_tolerance_s=86400)

    def at(h, m):
        return rfc3339(datetime.datetime(yday.year, yday.month, yday.day, h, m, tzinfo=tz).timestamp())
    return unit, yday, tz, at


def codes(r):
    eq(r.status, 201, f"the check-in: {r}")
    return [v["code"] for v in r.json()["violations"]]


def judged(r):
    """The codes but LATE_SYNC, which a check-in of a past day sent now carries (its delay is over 15 minutes)."""
    return [c for c in codes(r) if c != "LATE_SYNC"]


def violation(env, r, code):
    """The evidence (GET /v1/violations/{id}) of the check-in's violation with this code."""
    ids = [v["violation_id"] for v in r.json()["violations"] if v["code"] == code]
    eq(len(ids), 1, f"one {code} in {r.json()['violations']}")
    got = env.svc.request("GET", f"/v1/violations/{ids[0]}", token=env.reviewer)
    eq(got.status, 200, f"the violation: {got}")
    return got.json()


def unit_day(env, unit, day):
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/days/{day}", token=env.agency.admin)
    eq(r.status, 200, f"the unit's day: {r}")
    return {e["employee_id"]: e for e in r.json()["employees"]}


def local_time(text, tz=None):
    """HH:MM of an RFC 3339 time, in tz (default: in its own offset)."""
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (t.astimezone(tz) if tz else t).strftime("%H:%M")


def close(env, day):
    code, lines = run_svc(["close-day", "--date", day], base_env(env.db.url))
    eq(code, 0, f"close-day {day}: {lines[-3:]}")


def flags(env, phone):
    return [tuple(r) for r in env.db.sql("SELECT code, status FROM violations WHERE employee_id = :'e'"
                                         " AND code IN ('ABSENT', 'NO_CHECKOUT') ORDER BY code",
                                         f"e={phone.employee_id}")]


@test
def a_clock_set_back_is_judged_on_the_arrival(env):
    zone, now = zone_where(8, 21)
    start = now - datetime.timedelta(minutes=14)
    unit = unit_with_hours(env, zone, hhmm(start), hhmm(now + datetime.timedelta(hours=2)))
    p = Phone(env.svc, env.db, unit["id"])
    claimed = start.replace(second=30, microsecond=0)  # on time by the phone's clock, 13.5 to 14.5 minutes ago
    r = p.checkin(captured_at=rfc3339(claimed.timestamp()))
    eq(codes(r), ["LATE_ARRIVAL"], "late by the arrival, and no LATE_SYNC under 15 minutes")
    body = r.json()
    eq(body["judged_at"], body["received_at"], "judged when it arrived")
    eq(local_time(body["captured_at"]), hhmm(claimed), "the phone's time kept as it said")
    check(body["judged_at"].endswith(now.strftime("%z")[:3] + ":" + now.strftime("%z")[3:]),
          f"in the unit's zone: {body}")
    v = violation(env, r, "LATE_ARRIVAL")
    check(v["evidence"]["late_minutes"] >= 13, f"late minutes by the arrival: {v['evidence']}")
    eq(v["evidence"]["judged_on"], "received_at", "why")
    c = v["checkin"]
    check(all(k in c for k in ("captured_at", "received_at", "judged_at")), f"the check-in's times: {c}")
    eq(c["judged_at"], c["received_at"], "the evidence's judged time")


@test
def a_phone_119_seconds_behind_is_believed_and_121_is_not(env):
    zone, now = zone_where(8, 21)
    start = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)  # late from the current minute on
    unit = unit_with_hours(env, zone, hhmm(start), hhmm(now + datetime.timedelta(hours=2)))
    believed, not_believed = Phone(env.svc, env.db, unit["id"]), Phone(env.svc, env.db, unit["id"])
    import time
    r = believed.checkin(captured_at=rfc3339(time.time() - 119))
    eq(codes(r), [], "119 s behind: on time by the phone's clock")
    eq(r.json()["judged_at"], r.json()["captured_at"], "judged on the phone's time")
    r = not_believed.checkin(captured_at=rfc3339(time.time() - 121))
    eq(codes(r), ["LATE_ARRIVAL"], "121 s behind: judged on the arrival")
    eq(r.json()["judged_at"], r.json()["received_at"], "judged when it arrived")
    r = Phone(env.svc, env.db, unit["id"]).checkin(captured_at=rfc3339(time.time() + 240))
    eq(r.json()["judged_at"], r.json()["received_at"], "a phone ahead is judged when it arrived")


@test
def a_day_skipped_and_sent_in_the_evening_is_late(env):
    zone, now = zone_where(8, 21)
    start, end = now - datetime.timedelta(hours=5), now - datetime.timedelta(minutes=30)
    unit = unit_with_hours(env, zone, hhmm(start), hhmm(end))
    p = Phone(env.svc, env.db, unit["id"])
    r = p.checkin(captured_at=rfc3339((now - datetime.timedelta(hours=6)).timestamp()))
    eq(sorted(codes(r)), ["LATE_ARRIVAL", "LATE_SYNC"], "an 'in' dated before the start, sent hours later")
    late = violation(env, r, "LATE_ARRIVAL")["evidence"]["late_minutes"]
    check(late >= 299, f"late by the arrival: {late} minutes")
    r = p.checkin(type="out", captured_at=rfc3339((now - datetime.timedelta(minutes=20)).timestamp()))
    eq(codes(r), ["LATE_SYNC"], "the 'out', after the end either way")
    day = unit_day(env, unit, now.date().isoformat())[p.employee_id]
    eq(day["state"], "present", "present, late")
    d = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year={now.year}", token=env.reviewer)
    eq(d.status, 200, f"discipline: {d}")
    check(d.json()["pending_late_minutes"] >= 299, f"the late minutes count, pending: {d.json()}")


@test
def an_arrival_from_elsewhere_first_counts_for_nothing(env):
    # Yesterday, in a unit that believes a phone's time for a day (so that the phone's times are the judged ones).
    unit, yday, tz, at = yesterday_unit(env)
    p = Phone(env.svc, env.db, unit["id"])
    eq(judged(p.checkin(lat=HOME[0], lon=HOME[1], captured_at=at(7, 25))), ["OUTSIDE_GEOFENCE"],
       "07:25 from home in WFO mode: no arrival")
    late = p.checkin(captured_at=at(9, 40))
    eq(judged(late), ["LATE_ARRIVAL"], "09:40 at the office: the arrival")
    eq(violation(env, late, "LATE_ARRIVAL")["evidence"]["late_minutes"], 130, "late from 07:30")
    early = p.checkin(type="out", captured_at=at(14, 0))
    eq(judged(early), ["EARLY_DEPARTURE"], "14:00 at the office")
    eq(judged(p.checkin(type="out", lat=HOME[0], lon=HOME[1], captured_at=at(16, 30))), ["OUTSIDE_GEOFENCE"],
       "16:30 from elsewhere hides nothing")
    # The same from an approved home in WFH mode, on a day rostered WFO: checked against the wrong place.
    wfh_first = Phone(env.svc, env.db, unit["id"])
    home = env.svc.request("POST", "/v1/homes", {"lat": HOME[0], "lon": HOME[1], "address": "Jl. Rumah 2"},
                           token=wfh_first.token).json()["home_id"]
    boss = make_staff(env, "supervisor", unit["id"])
    eq(env.svc.request("POST", f"/v1/homes/{home}/approve", token=boss).status, 200, "the home approved")
    eq(judged(wfh_first.checkin(mode="WFH", lat=HOME[0], lon=HOME[1], captured_at=at(7, 25))), ["MODE_MISMATCH"],
       "07:25 at home in WFH mode on a WFO day: no arrival")
    eq(judged(wfh_first.checkin(captured_at=at(9, 40))), ["LATE_ARRIVAL"], "09:40 at the office: the arrival")
    no_out = Phone(env.svc, env.db, unit["id"])
    no_out.checkin(captured_at=at(7, 20))
    eq(judged(no_out.checkin(type="out", lat=HOME[0], lon=HOME[1], captured_at=at(16, 30))), ["OUTSIDE_GEOFENCE"],
       "an 'out' from elsewhere")
    from_home = Phone(env.svc, env.db, unit["id"])
    from_home.checkin(lat=HOME[0], lon=HOME[1], captured_at=at(7, 25))
    for phone in (p, no_out, from_home):
        env.db.sql("UPDATE employee_units SET valid_from = '2020-01-01' WHERE employee_id = :'e'",
                   f"e={phone.employee_id}")

    day = unit_day(env, unit, yday.isoformat())
    eq((local_time(day[p.employee_id]["first_in"], tz), local_time(day[p.employee_id]["last_out"], tz)), ("09:40", "14:00"),
       "the unit's day: the arrival and the departure")
    eq(day[from_home.employee_id]["first_in"], None, "an 'in' from home is no arrival")
    close(env, yday.isoformat())
    eq(flags(env, p), [], "an arrival and a later departure")
    eq(flags(env, no_out), [("NO_CHECKOUT", "pending")], "no 'out' that counts")
    eq(flags(env, from_home), [("ABSENT", "pending")], "no 'in' that counts")
    d = env.svc.request("GET", f"/v1/employees/{p.employee_id}/discipline?year={yday.year}", token=env.reviewer)
    eq((d.json()["pending_late_minutes"], d.json()["pending_early_minutes"]), (130, 120), f"discipline: {d.json()}")

    out_dir = os.path.join(env.work, "out-" + secrets.token_hex(4))
    code, lines = run_svc(["nightly", "--date", yday.isoformat(), "--out", out_dir],
                          base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=env.key_file,
                                   ATTENDANCE_SELFIE_DIR=env.svc.selfie_dir), timeout=120)
    eq(code, 0, f"nightly: {lines[-3:]}")
    with open(os.path.join(out_dir, f"attendance_{yday.isoformat()}.csv"), newline="") as f:
        import csv
        rows = {r["nip"]: r for r in csv.DictReader(f)}
    row = rows[p.nip]
    eq((local_time(row["first_in"]), local_time(row["last_out"]), row["late_minutes"], row["early_minutes"]),
       ("09:40", "14:00", "130", "120"), f"the export: {row}")
    eq(rows[from_home.nip]["first_in"], "", "no arrival in the export either")


@test
def a_check_in_after_the_closure_changes_nothing(env):
    unit, yday, _, at = yesterday_unit(env)
    present, absent = Phone(env.svc, env.db, unit["id"]), Phone(env.svc, env.db, unit["id"])
    for phone in (present, absent):
        env.db.sql("UPDATE employee_units SET valid_from = '2020-01-01' WHERE employee_id = :'e'",
                   f"e={phone.employee_id}")
    eq(judged(present.checkin(captured_at=at(7, 20))), [], "on time")
    eq(judged(present.checkin(type="out", captured_at=at(16, 10))), [], "left on time")
    close(env, yday.isoformat())
    eq(flags(env, absent), [("ABSENT", "pending")], "absent at the closure")
    eq(env.db.sql("SELECT count(*) FROM closed_days WHERE unit_id = :'u' AND day = :'d'", f"u={unit['id']}",
                  f"d={yday.isoformat()}"), [["1"]], "the day is recorded closed")

    r = absent.checkin(captured_at=at(7, 25))
    eq(codes(r), ["LATE_SYNC"], "an 'in' for a closed day: stored and flagged, nothing else")
    eq(violation(env, r, "LATE_SYNC")["evidence"]["day_closed"], True, "why")
    eq(codes(absent.checkin(type="out", captured_at=at(16, 5))), ["LATE_SYNC"], "and its 'out'")
    close(env, yday.isoformat())
    eq(flags(env, absent), [("ABSENT", "pending")], "the ABSENT stands, and no NO_CHECKOUT")
    eq(unit_day(env, unit, yday.isoformat())[absent.employee_id]["state"], "absent", "the unit's day")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE employee_id = :'e' AND after_closure AND NOT counts_for_day",
                  f"e={absent.employee_id}"), [["2"]], "both stored, as evidence")


@test
def nobody_approves_its_own_home(env):
    a = env.agency
    p = Phone(env.svc, env.db, a.unit_a["id"])
    boss = make_staff(env, "supervisor", a.unit_a["id"], employee_id=p.employee_id)
    other = make_staff(env, "supervisor", a.unit_a["id"])
    r = env.svc.request("POST", "/v1/homes", {"lat": HOME[0], "lon": HOME[1], "address": "Jl. Rumah 1"},
                        token=p.token)
    eq(r.status, 201, f"the home: {r}")
    home = r.json()["home_id"]
    r = env.svc.request("POST", f"/v1/homes/{home}/approve", token=boss)
    eq((r.status, r.error_code()), (403, "self_approval"), "the supervisor who is that employee")
    r = env.svc.request("POST", f"/v1/homes/{home}/approve", token=other)
    eq((r.status, r.json()["status"]), (200, "approved"), "another supervisor")


@test
def a_selfie_attached_before_is_flagged_by_anyone(env):
    a = env.agency
    a.office(a.unit_a["id"])
    first, second = Phone(env.svc, env.db, a.unit_a["id"]), Phone(env.svc, env.db, a.unit_a["id"])
    photo = jpeg()
    r = first.checkin(selfie=photo)
    check("SELFIE_REUSED" not in codes(r), f"the first use: {r.json()}")
    original = r.json()["checkin_id"]
    payload = second.payload(selfie=photo)
    r = second.post(payload, selfie=photo)
    check("SELFIE_REUSED" in codes(r), f"another employee's photo: {r.json()}")
    eq(violation(env, r, "SELFIE_REUSED")["evidence"]["earlier_checkin_id"], original, "names the earlier check-in")
    again = second.post(payload, selfie=photo)
    eq((again.status, again.json()), (200, r.json()), "a retry is the same check-in, not a reuse")
    r = first.checkin(type="out", selfie=photo)  # judged first on the cached facts, which cannot know
    check("SELFIE_REUSED" in codes(r), f"one's own photo again: {r.json()}")
    r = first.checkin(type="out", selfie=jpeg())
    check("SELFIE_REUSED" not in codes(r), f"a new photo: {r.json()}")


@test
def the_migration_keeps_the_verdicts_of_stored_check_ins(env):
    db = Database()
    try:
        migrate_before(db, "0016")
        sha = "cd" * 32
        db.sql("""
            INSERT INTO units (code, name, category, timezone, work_hours, agency_id)
            VALUES ('MIG', 'Unit MIG', 'administrative', 'Asia/Jakarta', '{}', 1);
            INSERT INTO employees (nip, name, unit_id) VALUES ('198001012000019001', 'Lama', 1);
            INSERT INTO devices (employee_id, public_key, label) VALUES (1, sha256('k'), 'old phone');
            INSERT INTO selfies (sha256, day, content_type, size_bytes) VALUES (:'sha', '2026-11-02', 'image/jpeg', 10);
            INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,
                local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, selfie_sha256, payload, signature)
            VALUES (1, 1, 1, 'n1', 'in', 'WFO', '2026-11-02 07:00+07', '2026-11-02 09:00+07', '2026-11-02',
                    0, 0, 5, false, false, 900, :'sha', '\\x01', '\\x02');
            INSERT INTO violations (employee_id, unit_id, checkin_id, day, code, created_at) VALUES
                (1, 1, 1, '2026-11-02', 'OUTSIDE_GEOFENCE', '2026-11-02 09:00+07'),
                (1, 1, NULL, '2026-11-03', 'ABSENT', '2026-11-04 01:00+07');
            """, f"sha={sha}")
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, f"migrate to 0016: {lines[-3:]}")
        eq(db.sql("SELECT judged_at = captured_at, counts_for_day, after_closure FROM checkins"),
           [["t", "t", "f"]], "judged as it was: on the phone's time, an arrival")
        eq(db.sql("SELECT count(*) FROM violations"), [["2"]], "its verdicts stand")
        eq(db.sql("SELECT unit_id, day FROM closed_days"), [["1", "2026-11-03"]], "the day the closure flagged")
        eq(db.sql("SELECT sha256, checkin_id FROM selfie_uses"), [[sha, "1"]], "the selfie's first use")
        eq(db.sql("SELECT sync_tolerance_s FROM units"), [["120"]], "the default tolerance")
        eq(db.sql("SELECT arrival_id, departure_id FROM day_attendance"), [["1", ""]], "read as the day's arrival")
    finally:
        db.drop()


@test
def a_unit_takes_its_tolerance(env):
    a = env.agency
    for bad in (-1, 315360001, "120", 1.5):
        r = env.svc.request("POST", "/v1/units", {"code": f"{a.prefix}-T{secrets.token_hex(2)}", "name": "T",
                                                  "category": "administrative", "timezone": "Asia/Jakarta",
                                                  "sync_tolerance_s": bad}, token=a.admin)
        eq((r.status, r.json()["error"].get("field")), (422, "sync_tolerance_s"), f"sync_tolerance_s {bad!r}: {r}")
    unit = a.unit(f"{a.prefix}-TOL", "administrative", sync_tolerance_s=0)
    eq(unit["sync_tolerance_s"], 0, "as set")
    eq(a.unit(f"{a.prefix}-TOD", "administrative")["sync_tolerance_s"], 120, "the default")
