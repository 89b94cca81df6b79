"""Proof of presence that GPS cannot fake (issue 26; CONTRACT.md "Proof of presence that GPS and a gallery cannot
fake"): an office's kiosks, their codes signed into check-ins, tried through the API as a phone offline at the
office, a colleague relaying the code and a forger would."""
import base64
import csv
import datetime
import hashlib
import hmac
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import zoneinfo

from harness import (CLIENT, DAYS, SVC, Agency, Phone, admin_env, base_env, check, check_sanitizers, eq, hhmm,
                     make_staff, rfc3339, run_svc, test, zone_where)

PERIOD = 30
HOME = (-6.30, 106.70)  # some 20 km from the office at Balai Kota


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.reviewer = make_staff(env, "reviewer", env.agency.top["id"])
    env.work = tempfile.mkdtemp(prefix="presence-")
    env.key_file = os.path.join(env.work, "export.key")
    out = subprocess.run([SVC, "export-keygen", "--out", env.key_file], env=base_env(env.db.url),
                         capture_output=True, text=True, timeout=60)
    check_sanitizers(out.stderr, "export-keygen")
    check(out.returncode == 0, f"export-keygen: {out.stderr}")
    return env


def teardown(env):
    shutil.rmtree(env.work, ignore_errors=True)
    env.close()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def code(kiosk_id, secret, t):
    """The text a kiosk shows in window t, computed as the contract defines it."""
    mac = hmac.new(secret, f"{kiosk_id}.{t}".encode(), hashlib.sha256).digest()[:16]
    return f"ATT1.{kiosk_id}.{t}." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def window(ts):
    return int(ts // PERIOD)


def kiosk(env, office, label="Lobi", made_hours_ago=0):
    """A kiosk of the office: its id and secret; made_hours_ago moves its making back (it was installed before)."""
    r = env.svc.request("POST", f"/v1/offices/{office['id']}/kiosks", {"label": label}, token=env.agency.admin)
    eq(r.status, 201, f"the kiosk: {r}")
    k = r.json()
    if made_hours_ago:
        env.db.sql("UPDATE kiosks SET created_at = now() - make_interval(hours => :'h') WHERE id = :'k'",
                   f"h={made_hours_ago}", f"k={k['kiosk_id']}")
    return k["kiosk_id"], b64url_decode(k["secret"])


def unit_started(env, minutes_ago):
    """A unit (in a zone where it is now 08:00 to 21:00) whose day started minutes_ago (negative: starts in as
    many), with one office."""
    zone, now = zone_where(8, 21)
    start, end = now - datetime.timedelta(minutes=minutes_ago), now + datetime.timedelta(hours=2)
    a = env.agency
    unit = a.unit(f"{a.prefix}-{secrets.token_hex(3).upper()}", "administrative", timezone=zone,
                  parent_id=a.top["id"], work_hours={d: [hhmm(start), hhmm(end)] for d in DAYS})
    return unit, a.office(unit["id"]), now


def codes(r):
    eq(r.status, 201, f"the check-in: {r}")
    return sorted(v["code"] for v in r.json()["violations"])


def evidence(env, r, code_name):
    ids = [v["violation_id"] for v in r.json()["violations"] if v["code"] == code_name]
    eq(len(ids), 1, f"one {code_name} in {r.json()['violations']}")
    got = env.svc.request("GET", f"/v1/violations/{ids[0]}", token=env.reviewer)
    eq(got.status, 200, f"the violation: {got}")
    return got.json()


@test
def a_kiosk_is_made_with_its_secret_shown_once_listed_and_revoked_audited(env):
    unit, office, _ = unit_started(env, 30)
    admin = env.agency.admin
    r = env.svc.request("POST", f"/v1/offices/{office['id']}/kiosks", {"label": "Pintu utama"}, token=admin)
    eq(r.status, 201, f"made: {r}")
    k = r.json()
    eq((k["period_s"], k["office_id"], k["label"], k["active"]), (30, office["id"], "Pintu utama", True), "its fields")
    eq(len(b64url_decode(k["secret"])), 32, "a secret of 32 bytes")
    listed = env.svc.request("GET", f"/v1/offices/{office['id']}/kiosks", token=admin)
    eq(listed.status, 200, f"the list: {listed}")
    item = [i for i in listed.json()["items"] if i["kiosk_id"] == k["kiosk_id"]][0]
    check("secret" not in item and k["secret"] not in listed.body.decode(), "the secret is never shown again")
    eq(item["last_used_at"], None, "never used")
    for body, status in (({}, 400), ({"label": ""}, 422), ({"label": 5}, 400)):
        got = env.svc.request("POST", f"/v1/offices/{office['id']}/kiosks", body, token=admin)
        eq(got.status, status, f"{body}: {got}")
    eq(env.svc.request("POST", "/v1/offices/999999999/kiosks", {"label": "x"}, token=admin).status, 404,
       "an unknown office")
    other_unit = env.agency.unit_b
    outsider = make_staff(env, "supervisor", other_unit["id"])
    eq(env.svc.request("GET", f"/v1/offices/{office['id']}/kiosks", token=outsider).status, 404,
       "another unit's supervisor sees no such office")
    own = make_staff(env, "supervisor", unit["id"])
    eq(env.svc.request("GET", f"/v1/offices/{office['id']}/kiosks", token=own).status, 200, "the unit's own")
    other_office = env.agency.office(other_unit["id"])
    eq(env.svc.request("DELETE", f"/v1/offices/{other_office['id']}/kiosks/{k['kiosk_id']}", token=admin).status,
       404, "a kiosk is revoked through its own office only")
    gone = env.svc.request("DELETE", f"/v1/offices/{office['id']}/kiosks/{k['kiosk_id']}", token=admin)
    eq((gone.status, gone.json()["active"]), (200, False), f"revoked: {gone}")
    check(gone.json()["revoked_at"] is not None, "when")
    again = env.svc.request("DELETE", f"/v1/offices/{office['id']}/kiosks/{k['kiosk_id']}", token=admin)
    eq((again.status, again.json()), (200, gone.json()), "revoking again changes nothing")
    audit = env.svc.request("GET", "/v1/audit?limit=500", token=admin).json()["items"]
    entries = [(e["action"], e["entity"]) for e in audit if e["entity"] == "kiosk" and e["entity_id"] == k["kiosk_id"]]
    eq(entries, [("create", "kiosk"), ("revoke", "kiosk")], "made and revoked, audited once each")
    text = str([e for e in audit if e["entity"] == "kiosk"])
    check(k["secret"] not in text and "secret" not in text, "the audit has no secret")


@test
def an_offline_phone_at_the_office_sent_an_hour_later_is_on_time(env):
    unit, office, now = unit_started(env, 30)
    kiosk_id, secret = kiosk(env, office, made_hours_ago=24)
    captured = time.time() - 3600  # an hour ago, before the day's start: on time by the kiosk's clock
    at_office = Phone(env.svc, env.db, unit["id"])
    # A basement's fix, 300 m off the 200 m geofence: the code is the proof of the place.
    r = at_office.checkin(captured_at=rfc3339(captured), lat=-6.1818 + 0.0045, presence=code(kiosk_id, secret,
                                                                                             window(captured)))
    eq(codes(r), [], "on time, at the office, and no LATE_SYNC for the hour")
    body = r.json()
    eq(body["judged_at"], body["captured_at"], "judged when the kiosk saw it")
    eq(body["geofence"]["place"], f"office:{office['id']}", "the kiosk's office")
    without = Phone(env.svc, env.db, unit["id"])
    r = without.checkin(captured_at=rfc3339(captured))
    eq(codes(r), ["LATE_ARRIVAL", "LATE_SYNC"], "the same without a code: judged when it arrived")
    stored = env.db.sql("SELECT presence_kiosk_id, presence_t FROM checkins WHERE employee_id = :'e'",
                        f"e={at_office.employee_id}")
    eq(stored, [[kiosk_id, str(window(captured))]], "the check-in keeps the kiosk and t")
    listed = env.svc.request("GET", f"/v1/offices/{office['id']}/kiosks", token=env.agency.admin).json()["items"]
    check(listed[0]["last_used_at"] is not None, f"the kiosk's last use: {listed}")
    day = now.date().isoformat()
    days = env.svc.request("GET", f"/v1/units/{unit['id']}/days/{day}", token=env.agency.admin).json()
    state = {e["employee_id"]: e for e in days["employees"]}
    check(state[at_office.employee_id]["first_in"] is not None, f"the arrival in the unit's day: {days}")
    for phone in (at_office, without):
        env.db.sql("UPDATE employee_units SET valid_from = '2020-01-01' WHERE employee_id = :'e'",
                   f"e={phone.employee_id}")
    out_dir = os.path.join(env.work, "out-" + secrets.token_hex(4))
    rc, lines = run_svc(["nightly", "--date", day, "--out", out_dir],
                        base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=env.key_file,
                                 ATTENDANCE_SELFIE_DIR=env.svc.selfie_dir), timeout=120)
    eq(rc, 0, f"nightly: {lines[-3:]}")
    with open(os.path.join(out_dir, f"attendance_{day}.csv"), newline="") as f:
        rows = {row["nip"]: row for row in csv.DictReader(f)}
    eq((rows[at_office.nip]["presence"], rows[at_office.nip]["late_minutes"]), ("kiosk", "0"), "the export")
    eq(rows[without.nip]["presence"], "gps", "placed by its GPS point")


@test
def yesterdays_code_sent_today_is_yesterdays_arrival_for_the_closure(env):
    zone, now = zone_where(1, 7)  # yesterday's 07:20 was 18 to 24 hours ago
    tz = zoneinfo.ZoneInfo(zone)
    yday = now.date() - datetime.timedelta(days=1)
    a = env.agency
    unit = a.unit(f"{a.prefix}-{secrets.token_hex(3).upper()}", "administrative", timezone=zone,
                  parent_id=a.top["id"], work_hours={d: ["07:30", "16:00"] for d in DAYS})
    office = a.office(unit["id"])
    kiosk_id, secret = kiosk(env, office, made_hours_ago=48)
    captured = datetime.datetime(yday.year, yday.month, yday.day, 7, 20, tzinfo=tz).timestamp()
    by_code, by_gps = Phone(env.svc, env.db, unit["id"]), Phone(env.svc, env.db, unit["id"])
    for phone in (by_code, by_gps):
        env.db.sql("UPDATE employee_units SET valid_from = '2020-01-01' WHERE employee_id = :'e'",
                   f"e={phone.employee_id}")
    eq(codes(by_code.checkin(captured_at=rfc3339(captured), presence=code(kiosk_id, secret, window(captured)))), [],
       "yesterday's 07:20 by the kiosk's code")
    r = by_gps.checkin(captured_at=rfc3339(captured))
    eq(r.json()["judged_at"], r.json()["received_at"], "without a code: judged today")
    rc, lines = run_svc(["close-day", "--date", yday.isoformat()], base_env(env.db.url))
    eq(rc, 0, f"close-day: {lines[-3:]}")
    absences = env.db.sql("SELECT employee_id FROM violations WHERE unit_id = :'u' AND code = 'ABSENT'",
                          f"u={unit['id']}")
    eq(absences, [[str(by_gps.employee_id)]], "the closure finds yesterday's arrival by the code only")


@test
def a_relayed_code_with_a_home_gps_point_is_flagged_and_is_no_arrival(env):
    unit, office, now = unit_started(env, -60)
    kiosk_id, secret = kiosk(env, office)
    at_home = Phone(env.svc, env.db, unit["id"])
    t = window(time.time())
    r = at_home.checkin(lat=HOME[0], lon=HOME[1], presence=code(kiosk_id, secret, t))
    eq(codes(r), ["PRESENCE_MISMATCH"], "a colleague's code, 20 km away; no OUTSIDE_GEOFENCE beside it")
    v = evidence(env, r, "PRESENCE_MISMATCH")
    eq((v["evidence"]["kiosk_id"], v["evidence"]["t"], v["evidence"]["office_id"]), (kiosk_id, t, office["id"]),
       "the evidence shows the kiosk and t")
    check(v["evidence"]["distance_m"] > 1000, f"and how far: {v['evidence']}")
    eq(v["checkin"]["presence"], {"kiosk_id": kiosk_id, "t": t}, "the check-in's presence in the evidence")
    eq(v["checkin"]["counts_for_day"], False, "no arrival")
    near = Phone(env.svc, env.db, unit["id"])
    eq(codes(near.checkin(lat=-6.1818 + 0.008, presence=code(kiosk_id, secret, t))), [],
       "900 m off (a poor fix at the office) is believed")


@test
def invalid_revoked_foreign_and_stale_codes_are_flagged_and_judged_without(env):
    unit, office, _ = unit_started(env, -60)
    kiosk_id, secret = kiosk(env, office, made_hours_ago=2)
    revoked_id, revoked_secret = kiosk(env, office, label="Lama")
    eq(env.svc.request("DELETE", f"/v1/offices/{office['id']}/kiosks/{revoked_id}", token=env.agency.admin).status,
       200, "revoked")
    other_unit = env.agency.unit(f"{env.agency.prefix}-{secrets.token_hex(3).upper()}", "administrative",
                                 parent_id=env.agency.top["id"])
    foreign_id, foreign_secret = kiosk(env, env.agency.office(other_unit["id"]))
    now = time.time()
    t = window(now)
    good = code(kiosk_id, secret, t)
    # A character of the MAC's middle changed (the last one carries padding bits, whose change is malformed).
    flipped = good[:-10] + ("A" if good[-10] != "A" else "B") + good[-9:]
    cases = [
        ("revoked", code(revoked_id, revoked_secret, t), now),
        ("unknown_kiosk", code(foreign_id, foreign_secret, t), now),
        ("bad_mac", flipped, now),
        ("stale", code(kiosk_id, secret, t - 5), now),
        ("malformed", "https://example.com/not-a-code", now),
        ("before_kiosk", code(kiosk_id, secret, window(now - 3 * 3600)), now - 3 * 3600),
    ]
    for reason, text, captured in cases:
        phone = Phone(env.svc, env.db, unit["id"])
        r = phone.checkin(presence=text, captured_at=rfc3339(captured))
        got = codes(r)
        check("PRESENCE_INVALID" in got and "OUTSIDE_GEOFENCE" not in got, f"{reason}: {got}")
        eq(evidence(env, r, "PRESENCE_INVALID")["evidence"]["reason"], reason, "the reason")
        if reason == "before_kiosk":
            check("LATE_SYNC" in got, f"judged as if it had no code: {got}")
    phone = Phone(env.svc, env.db, unit["id"])
    r = phone.checkin(presence=good, lat=HOME[0], lon=HOME[1], mode="WFH")
    check("PRESENCE_INVALID" in codes(r), f"a code in a WFH check-in proves nothing: {codes(r)}")
    for bad in (5, "", "x" * 200, {"code": good}):
        r = phone.checkin(presence=bad)
        eq((r.status, r.error_code()), (400, "malformed_request"), f"presence {bad!r}")
    eq(codes(Phone(env.svc, env.db, unit["id"]).checkin(presence=None)), [], "null is no code")


@test
def the_reference_client_signs_the_code_into_its_payload(env):
    unit, office, _ = unit_started(env, 30)
    kiosk_id, secret = kiosk(env, office, made_hours_ago=2)
    phone = Phone(env.svc, env.db, unit["id"])
    state = os.path.join(env.work, "client-" + secrets.token_hex(4))
    os.makedirs(state, mode=0o700)
    with open(os.path.join(state, "token"), "w") as f:
        f.write(phone.token)
    with open(os.path.join(state, "device.id"), "w") as f:
        f.write(str(phone.device_id))
    with open(os.path.join(state, "device.key"), "wb") as f:
        f.write(bytes(phone.key) + bytes(phone.key.verify_key))
    os.chmod(os.path.join(state, "device.key"), 0o600)
    captured = time.time() - 3600  # before the start, well clear of its minute
    out = subprocess.run([CLIENT, "--url", f"http://127.0.0.1:{env.svc.port}", "--state", state, "--json",
                          "checkin", "--type", "in", "--mode", "WFO", "--lat", "-6.1818", "--lon", "106.8283",
                          "--accuracy", "8", "--captured-at", rfc3339(captured),
                          "--presence", code(kiosk_id, secret, window(captured))],
                         capture_output=True, text=True, timeout=60)
    check_sanitizers(out.stderr, "attendance-client")
    eq(out.returncode, 0, f"the client: {out.stderr}")
    import json
    body = json.loads(out.stdout.strip().splitlines()[-1])
    eq((body["violations"], body["judged_at"]), ([], body["captured_at"]), f"on time by the code: {body}")
