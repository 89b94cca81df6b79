"""POST /v1/checkins: signatures, replays, geofences, selfies, and the violations flagged at check-in."""
import datetime
import hashlib
import json
import os
import secrets
import threading
import time
import zoneinfo

from harness import (Agency, Phone, admin_env, check, eq, jpeg, png, rfc3339, test)

BALAI_KOTA = (-6.1818, 106.8283)
# About 50 m and 500 m north of Balai Kota (1 degree of latitude is about 111.2 km).
NEAR = (BALAI_KOTA[0] + 50 / 111195.0, BALAI_KOTA[1])
FAR = (BALAI_KOTA[0] + 500 / 111195.0, BALAI_KOTA[1])
ALL_WEEK_OFF = {}  # no work days: no lateness, no early departure


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    # A unit with no work days, so that the time of day cannot add violations to the place tests.
    env.unit = a.unit(a.prefix + "-FLEX", "administrative", work_hours=ALL_WEEK_OFF)
    r = env.svc.request("POST", "/v1/offices", {"unit_id": env.unit["id"], "name": "Balai Kota", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    env.office_id = r.json()["id"]
    return env


def teardown(env):
    env.close()


def phone(env, unit=None):
    return Phone(env.svc, env.db, (unit or env.unit)["id"])


def codes(r):
    return sorted(v["code"] for v in r.json()["violations"])


@test
def a_check_in_inside_the_office_is_accepted_clean(env):
    p = phone(env)
    r = p.checkin(lat=NEAR[0], lon=NEAR[1])
    eq(r.status, 201, f"status {r}")
    body = r.json()
    eq(sorted(body), ["captured_at", "checkin_id", "geofence", "judged_at", "received_at", "selfie_attached", "status",
                      "violations"], "fields")
    eq(body["status"], "accepted", "status field")
    eq(body["geofence"], {"inside": True, "distance_m": 0, "place": f"office:{env.office_id}"}, "geofence")
    eq((body["selfie_attached"], body["violations"]), (False, []), "no selfie, no violation")
    rows = env.db.sql("SELECT employee_id, type, mode, inside FROM checkins WHERE id = :'id'",
                      f"id={body['checkin_id']}")
    eq(rows, [[str(p.employee_id), "in", "WFO", "t"]], "stored row")


@test
def outside_the_office_is_flagged_with_its_distance(env):
    p = phone(env)
    r = p.checkin(lat=FAR[0], lon=FAR[1])
    eq(r.status, 201, "status")
    g = r.json()["geofence"]
    eq((g["inside"], g["place"]), (False, f"office:{env.office_id}"), "verdict")
    check(abs(g["distance_m"] - 400) < 3, f"about 400 m outside: {g['distance_m']}")
    eq(codes(r), ["OUTSIDE_GEOFENCE"], "codes")
    evidence = json.loads(env.db.sql("SELECT evidence FROM violations WHERE id = :'id'",
                                     f"id={r.json()['violations'][0]['violation_id']}")[0][0])
    check(abs(evidence["distance_m"] - 400) < 3 and evidence["accuracy_m"] == 10, f"evidence {evidence}")


@test
def gps_accuracy_is_honoured_at_the_edge(env):
    # 120 m from the centre of a 100 m circle: 20 m outside, within a 30 m accuracy: no violation.
    p = phone(env)
    edge = (BALAI_KOTA[0] + 120 / 111195.0, BALAI_KOTA[1])
    r = p.checkin(lat=edge[0], lon=edge[1], accuracy=30)
    eq((r.json()["geofence"]["inside"], codes(r)), (False, []), "within the accuracy")
    r = p.checkin(lat=edge[0], lon=edge[1], accuracy=5)
    eq(codes(r), ["OUTSIDE_GEOFENCE"], "beyond a 5 m accuracy")


@test
def mock_location_and_low_accuracy_are_flagged(env):
    p = phone(env)
    eq(codes(p.checkin(mock=True)), ["MOCK_LOCATION"], "mock")
    eq(codes(p.checkin(accuracy=100)), [], "100 m is not low accuracy")
    eq(codes(p.checkin(accuracy=150)), ["LOW_ACCURACY"], "150 m")


@test
def wfh_without_roster_home_or_selfie(env):
    p = phone(env)
    minutes_ago = lambda m: rfc3339(time.time() - m * 60)  # noqa: E731 (spaced out: no impossible travel)
    r = p.checkin(mode="WFH", lat=-6.25, lon=106.80, captured_at=minutes_ago(14))
    eq(codes(r), ["MODE_MISMATCH", "NO_HOME_REGISTERED"], "no roster entry means WFO; no home")
    eq(r.json()["geofence"]["place"], None, "no place")
    home = env.db.sql("INSERT INTO homes (employee_id, lat, lon, address, status, approved_at) "
                      "VALUES (:'e', -6.25, 106.80, 'Jl. Rumah 1', 'approved', now()) RETURNING id",
                      f"e={p.employee_id}")
    check(home, "home stored")
    env.db.sql("INSERT INTO roster_entries (employee_id, day, unit_id, mode) "
               "VALUES (:'e', (now() AT TIME ZONE 'Asia/Jakarta')::date, :'u', 'WFH')",
               f"e={p.employee_id}", f"u={env.unit['id']}")
    r = p.checkin(mode="WFH", lat=-6.25, lon=106.80, captured_at=minutes_ago(14))
    eq((codes(r), r.json()["geofence"]), ([], {"inside": True, "distance_m": 0, "place": "home"}), "at home")
    r = p.checkin(mode="WFH", lat=-6.25 + 1000 / 111195.0, lon=106.80, captured_at=minutes_ago(7))
    eq(codes(r), ["OUTSIDE_HOME"], "a kilometre away")
    # A WFO check-in of a WFH-rostered employee is a mismatch too.
    eq(codes(p.checkin(mode="WFO", lat=NEAR[0], lon=NEAR[1], captured_at=minutes_ago(-4))), ["MODE_MISMATCH"],
       "WFO on a WFH day")


@test
def a_policy_requiring_a_selfie_flags_its_absence(env):
    a = env.agency
    unit = a.unit(a.prefix + "-SELFIE", "essential", work_hours=ALL_WEEK_OFF)
    env.svc.request("POST", "/v1/offices", {"unit_id": unit["id"], "name": "O", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    today = datetime.date.today()
    env.db.sql("INSERT INTO policies (name, starts_on, ends_on, applies_to, unit_id, max_wfh_percent, "
               "selfie_required_for) VALUES ('selfie', :'a', :'b', '{essential}', :'u', 50, '{WFO}')",
               f"a={today - datetime.timedelta(days=2)}", f"b={today + datetime.timedelta(days=2)}",
               f"u={unit['id']}")
    p = phone(env, unit)
    eq(codes(p.checkin()), ["NO_SELFIE"], "no selfie")
    photo = jpeg()
    r = p.checkin(selfie=photo)
    eq((r.status, codes(r), r.json()["selfie_attached"]), (201, [], True), "with a selfie")
    sha = hashlib.sha256(photo).hexdigest()
    eq(env.db.sql("SELECT content_type, size_bytes FROM selfies WHERE sha256 = :'s'", f"s={sha}"),
       [["image/jpeg", str(len(photo))]], "selfie recorded")
    with open(os.path.join(env.svc.selfie_dir, sha[:2], sha), "rb") as f:
        eq(f.read(), photo, "the selfie's bytes are kept")
    eq(env.db.sql("SELECT selfie_sha256 FROM checkins WHERE id = :'i'", f"i={r.json()['checkin_id']}"), [[sha]],
       "the check-in names its selfie")
    eq(p.checkin(selfie=png()).status, 201, "a PNG is fine too")


@test
def late_sync_and_impossible_travel(env):
    p = phone(env)
    r = p.checkin(captured_at=rfc3339(time.time() - 20 * 60))
    eq(codes(r), ["LATE_SYNC"], "captured 20 minutes before it arrived")
    q = phone(env)
    eq(codes(q.checkin(captured_at=rfc3339(time.time() - 60))), [], "first")
    # 100 km away one minute later: 6000 km/h.
    eq(codes(q.checkin(lat=BALAI_KOTA[0] - 0.9, lon=BALAI_KOTA[1], accuracy=10)),
       ["IMPOSSIBLE_TRAVEL", "OUTSIDE_GEOFENCE"], "impossible travel")
    # Back at the office ten hours "later" would be plausible: GPS jitter of a few metres is never travel.
    eq(codes(q.checkin(type="out", captured_at=rfc3339(time.time() + 60), lat=BALAI_KOTA[0] - 0.9)), [
        "OUTSIDE_GEOFENCE"], "no travel")


def local_minutes(tz):
    now = datetime.datetime.now(zoneinfo.ZoneInfo(tz))
    return now.hour * 60 + now.minute


def hours_all_week(start_min, end_min):
    fmt = lambda m: f"{m // 60:02d}:{m % 60:02d}"  # noqa: E731
    return {d: [fmt(start_min), fmt(end_min)] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@test
def lateness_and_early_departure_in_the_units_own_time_zone(env):
    a = env.agency
    wit_now = local_minutes("Asia/Jayapura")
    start = max(wit_now - 30, 0)
    end = min(max(start + 60, wit_now + 30), 1439)
    if end <= start:
        start, end = 0, 1439
    units = {tz: a.unit(f"{a.prefix}-{tz[5:9].upper()}", "administrative", timezone=tz,
                        work_hours=hours_all_week(start, end)) for tz in ("Asia/Jayapura", "Asia/Jakarta")}
    for tz, unit in units.items():
        env.svc.request("POST", "/v1/offices", {"unit_id": unit["id"], "name": "O", "geofence": {
            "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
        p = phone(env, unit)
        now = local_minutes(tz)
        late = now >= start + 1 and now < 1440
        r = p.checkin()
        eq(codes(r), ["LATE_ARRIVAL"] if late else [], f"{tz}: first in at {now} for a start at {start}")
        if late:
            evidence = json.loads(env.db.sql("SELECT evidence FROM violations WHERE id = :'i'",
                                             f"i={r.json()['violations'][0]['violation_id']}")[0][0])
            check(abs(evidence["late_minutes"] - (now - start)) <= 1, f"{tz}: late minutes {evidence}")
        eq(codes(p.checkin()), [], f"{tz}: a second in the same day is not late again")
        early = now < end
        eq(codes(p.checkin(type="out")), ["EARLY_DEPARTURE"] if early else [], f"{tz}: out at {now}, end {end}")
    if wit_now >= 150:  # away from midnight the two clocks must disagree
        jkt = local_minutes("Asia/Jakarta")
        check(jkt < start, f"Jakarta ({jkt}) is on time for a start at {start}, Jayapura ({wit_now}) is late")


@test
def a_retry_gets_the_same_answer_and_other_bytes_409(env):
    p = phone(env)
    payload = p.payload(lat=FAR[0], lon=FAR[1])
    first = p.post(payload)
    eq(first.status, 201, "first")
    again = p.post(payload)
    eq(again.status, 200, "retry")
    eq(again.body, first.body, "byte for byte")
    other = json.loads(payload)
    other["accuracy_m"] = 11.0
    r = p.post(json.dumps(other).encode())
    eq((r.status, r.error_code()), (409, "nonce_reused"), "same nonce, other bytes")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE device_id = :'d'", f"d={p.device_id}"), [["1"]], "one row")


@test
def a_retry_storm_leaves_one_check_in(env):
    p = phone(env)
    payload = p.payload(lat=FAR[0], lon=FAR[1], selfie=None)
    signature = p.sign(payload)
    results = []

    def send():
        results.append(p.post(payload, signature))

    threads = [threading.Thread(target=send) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results)
    eq(statuses.count(201), 1, f"one 201: {statuses}")
    eq(statuses.count(200), 49, "the rest are replays")
    eq(len({r.body for r in results}), 1, "all the same body")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE device_id = :'d'", f"d={p.device_id}"), [["1"]], "one row")
    eq(env.db.sql("SELECT count(*) FROM violations v JOIN checkins c ON c.id = v.checkin_id "
                  "WHERE c.device_id = :'d'", f"d={p.device_id}"), [["1"]], "one violation")


@test
def signatures_and_devices_are_checked(env):
    p, other = phone(env), phone(env)
    payload = p.payload()
    tampered = payload.replace(b'"in"', b'"out"')
    r = p.post(tampered, p.sign(payload))
    eq((r.status, r.error_code()), (401, "bad_signature"), "a tampered byte")
    r = p.post(payload, other.sign(payload))
    eq((r.status, r.error_code()), (401, "bad_signature"), "signed by another employee's key")
    r = p.post(payload, "not-base64!")
    eq((r.status, r.error_code()), (401, "bad_signature"), "not a signature")
    theirs = other.payload()
    r = p.post(theirs, other.sign(theirs))
    eq((r.status, r.error_code()), (403, "device_not_bound"), "another employee's device")
    r = p.post(p.payload(device_id="999999999"))
    eq((r.status, r.error_code()), (403, "device_not_bound"), "an unknown device")
    env.db.sql("UPDATE devices SET active = false, revoked_at = now() WHERE id = :'d'", f"d={p.device_id}")
    r = p.post(p.payload())
    eq((r.status, r.error_code()), (403, "device_not_bound"), "a revoked device")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE device_id = :'d'", f"d={p.device_id}"), [["0"]], "no row")
    r = p.post(payload, token=env.agency.admin)
    eq(r.status, 403, "an admin may not check in")


@test
def bad_requests_get_their_status_and_leave_no_row(env):
    p = phone(env)
    before = env.db.sql("SELECT count(*) FROM checkins")[0][0]
    photo = jpeg()
    cases = [
        ("selfie of another hash", p.post(p.payload(selfie=jpeg()), selfie=photo), 422, "selfie_hash_mismatch"),
        ("hash without a selfie", p.post(p.payload(selfie=photo)), 422, "selfie_hash_mismatch"),
        ("selfie without a hash", p.post(p.payload(), selfie=photo), 422, "selfie_hash_mismatch"),
        ("not an image", p.post(p.payload(selfie=b"GIF89a" + b"x" * 100), selfie=b"GIF89a" + b"x" * 100), 415,
         "unsupported_media_type"),
        ("ten minutes ahead", p.post(p.payload(captured_at=rfc3339(time.time() + 600))), 422, "clock_skew"),
        ("latitude 91", p.post(p.payload(lat=91)), 422, "invalid_location"),
        ("longitude -181", p.post(p.payload(lon=-181)), 422, "invalid_location"),
        ("negative accuracy", p.post(p.payload(accuracy=-1)), 422, "invalid_location"),
        ("no captured_at offset", p.post(p.payload(captured_at="2026-11-24T07:00:00")), 400, "malformed_request"),
        ("short nonce", p.post(p.payload(nonce="abc")), 400, "malformed_request"),
        ("bad type", p.post(p.payload(type="lunch")), 400, "malformed_request"),
        ("lat as a string", p.post(p.payload(lat="-6.1")), 400, "malformed_request"),
        ("not JSON", p.post(b"{not json", "x" * 86), 400, "malformed_request"),
        ("no signature part", p.post(None, parts=[("payload", p.payload(), "application/json")]), 400,
         "malformed_request"),
        ("two payloads", p.post(None, parts=[("payload", p.payload(), "application/json"),
                                             ("payload", p.payload(), "application/json"),
                                             ("signature", b"x", "text/plain")]), 400, "malformed_request"),
    ]
    for name, r, status, code in cases:
        eq((r.status, r.error_code()), (status, code), name)
    r = env.svc.request("POST", "/v1/checkins", b'{"a": 1}', headers={"Content-Type": "application/json"},
                        token=p.token)
    eq((r.status, r.error_code()), (415, "unsupported_media_type"), "JSON instead of multipart")
    big = b"\xff\xd8\xff" + b"x" * (2 * 1024 * 1024)
    r = p.post(p.payload(selfie=big), selfie=big)
    eq(r.status, 413, "a selfie over 2 MiB")
    eq(env.db.sql("SELECT count(*) FROM checkins")[0][0], before, "no row left by any of them")


@test
def metrics_count_check_ins_and_violations(env):
    text = env.svc.request("GET", "/metrics").body.decode()
    for needle in ('attendance_checkins_total{result="accepted"}', 'attendance_checkins_total{result="replayed"}',
                   'attendance_violations_total{code="OUTSIDE_GEOFENCE"}'):
        line = [x for x in text.splitlines() if x.startswith(needle)]
        check(line and int(line[0].split()[-1]) > 0, f"{needle} counted")


@test
def a_disabled_login_or_inactive_employee_cannot_check_in(env):
    # The check-in's own context query checks the account (no separate round trip): prove it still does.
    p = phone(env)
    eq(p.checkin().status, 201, "before")
    env.db.sql("UPDATE accounts SET disabled = true WHERE employee_id = :'e'", f"e={p.employee_id}")
    r = p.checkin()
    eq((r.status, r.error_code()), (401, "invalid_token"), "disabled login")
    env.db.sql("UPDATE accounts SET disabled = false WHERE employee_id = :'e'", f"e={p.employee_id}")
    env.db.sql("UPDATE employees SET active = false WHERE id = :'e'", f"e={p.employee_id}")
    r = p.checkin()
    eq((r.status, r.error_code()), (401, "invalid_token"), "inactive employee")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE employee_id = :'e'", f"e={p.employee_id}"), [["1"]],
       "only the first is stored")
