"""The check-in context cache: a warm check-in is judged on cached facts, and no change is ever missed.

Each test warms an employee's cache entry with a first check-in, changes one fact the way
another request or another service instance would (with SQL), and shows that the next
check-in is judged on the new fact: the guard of checkin_insert found the cached one stale.
"""
import datetime
import re
import threading
import time
import zoneinfo

from harness import Agency, Phone, admin_env, check, eq, rfc3339, test

BALAI_KOTA = (-6.1818, 106.8283)
MONAS = (-6.1754, 106.8272)  # about 720 m north of Balai Kota
SURABAYA = (-7.2575, 112.7521)  # about 660 km east


def far_from_midnight():
    """An Indonesian time zone whose local day does not change within the next hour or the last 30 minutes:
    the tests check in up to 14 minutes back and expect one local day throughout."""
    for tz in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        now = datetime.datetime.now(zoneinfo.ZoneInfo(tz))
        if 30 <= now.hour * 60 + now.minute <= 23 * 60:
            return tz
    raise AssertionError("unreachable: the zones are an hour apart")


def setup():
    # Units' days are read ahead only when asked (a check-in that found none, an enrolment): a scan between a
    # test's making of its phones and their first check-ins would make those first check-ins cache hits.
    env = admin_env(ATTENDANCE_DAY_READ_AHEAD_S="0")
    a = env.agency = Agency(env.svc)
    tz = far_from_midnight()
    env.unit = a.unit(a.prefix + "-C", "administrative", timezone=tz, work_hours={})
    env.other = a.unit(a.prefix + "-D", "administrative", timezone=tz, work_hours={})
    for unit, place in ((env.unit, BALAI_KOTA), (env.other, MONAS)):
        r = env.svc.request("POST", "/v1/offices", {"unit_id": unit["id"], "name": "Kantor", "geofence": {
            "type": "circle", "lat": place[0], "lon": place[1], "radius_m": 100}}, token=a.admin)
        check(r.status == 201, f"office: {r}")
        unit["office_id"] = r.json()["id"]
    return env


def teardown(env):
    env.close()


def contexts(env):
    """The attendance_checkin_contexts_total counters of env's service (or of the service env)."""
    text = getattr(env, "svc", env).request("GET", "/metrics").body.decode()
    return {m[0]: int(m[1]) for m in re.findall(r'attendance_checkin_contexts_total\{source="(\w+)"\} (\d+)', text)}


def batches(env):
    """The service's attendance_checkin_batches_total and attendance_checkin_batch_rows_total."""
    text = env.svc.request("GET", "/metrics").body.decode()
    return tuple(int(re.search(rf"^attendance_checkin_{name}_total (\d+)$", text, re.M).group(1))
                 for name in ("batches", "batch_rows"))


def unit_reads(svc, unit):
    """How many times the service has read unit's day for its employees (its log says so each time)."""
    return len(re.findall(rf"unit {unit['id']}'s day \S+ read for", svc.log_text()))


def wait_unit_read(svc, unit, before):
    """Waits until the day reader has read unit's day once more than before (it reads off the requests' path)."""
    deadline = time.monotonic() + 10
    while unit_reads(svc, unit) <= before:
        check(time.monotonic() < deadline, f"unit {unit['id']}'s day was not read within 10 s")
        time.sleep(0.02)


def codes(r):
    check(r.status == 201, f"check-in: {r}")
    return sorted(v["code"] for v in r.json()["violations"])


def warm(env, unit=None):
    """A phone whose second check-in comes from the cache; both 14 minutes ago (within LATE_SYNC's 15), so that
    the next ones may be far away without IMPOSSIBLE_TRAVEL."""
    p = Phone(env.svc, env.db, (unit or env.unit)["id"])
    then = rfc3339(time.time() - 14 * 60)
    eq(codes(p.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=then)), [], "first check-in")
    before = contexts(env)
    eq(codes(p.checkin(type="out", lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=then)), [], "second check-in")
    after = contexts(env)
    eq(after["cache"] - before["cache"], 1, "the second check-in's facts came from the cache")
    return p


def minutes_ago(n):
    return rfc3339(time.time() - n * 60)


def local_day(unit):
    return datetime.datetime.now(zoneinfo.ZoneInfo(unit["timezone"])).date().isoformat()


def unit_with_office(env, suffix):
    """A unit of its own in env.unit's time zone, with one office at Balai Kota."""
    unit = env.agency.unit(env.agency.prefix + suffix, "administrative", timezone=env.unit["timezone"], work_hours={})
    r = env.svc.request("POST", "/v1/offices", {"unit_id": unit["id"], "name": "Kantor", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=env.agency.admin)
    eq(r.status, 201, "office")
    return unit


@test
def a_warm_check_in_is_one_statement_and_stores_what_a_cold_one_would(env):
    p = warm(env)
    rows = env.db.sql("SELECT type, unit_id, local_day, inside, place FROM checkins WHERE employee_id = :'e' "
                      "ORDER BY id", f"e={p.employee_id}")
    place = f"office:{env.unit['office_id']}"
    eq(rows, [["in", str(env.unit["id"]), local_day(env.unit), "t", place],
              ["out", str(env.unit["id"]), local_day(env.unit), "t", place]], "both rows")


@test
def an_office_moved_after_caching_is_used_at_once(env):
    unit = unit_with_office(env, "-MOVE")
    p = warm(env, unit)
    env.db.sql("UPDATE offices SET geofence = jsonb_build_object('type', 'circle', 'lat', -6.1754, 'lon', 106.8272,"
               " 'radius_m', 100) WHERE unit_id = :'u'", f"u={unit['id']}")
    before = contexts(env)
    eq(codes(p.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=minutes_ago(10))), ["OUTSIDE_GEOFENCE"],
       "judged on the moved office")
    eq(contexts(env)["stale"] - before["stale"], 1, "the cached office was found stale")
    eq(codes(p.checkin(lat=MONAS[0], lon=MONAS[1])), [], "and the new place is inside")


@test
def a_home_and_a_roster_entry_after_caching_are_used_at_once(env):
    p = warm(env)
    eq(codes(p.checkin(mode="WFH", lat=MONAS[0], lon=MONAS[1], captured_at=minutes_ago(10))), ["MODE_MISMATCH", "NO_HOME_REGISTERED"],
       "WFH with no roster entry and no home")
    env.db.sql("INSERT INTO homes (employee_id, lat, lon, address, status, approved_at) "
               "VALUES (:'e', -6.1754, 106.8272, 'Jl. Medan Merdeka', 'approved', now())", f"e={p.employee_id}")
    eq(codes(p.checkin(mode="WFH", lat=MONAS[0], lon=MONAS[1], captured_at=minutes_ago(10))), ["MODE_MISMATCH"], "the new home counts")
    env.db.sql("INSERT INTO roster_entries (employee_id, day, unit_id, mode) VALUES (:'e', :'d', :'u', 'WFH')",
               f"e={p.employee_id}", f"d={local_day(env.unit)}", f"u={env.unit['id']}")
    eq(codes(p.checkin(mode="WFH", lat=MONAS[0], lon=MONAS[1], captured_at=minutes_ago(10))), [], "the new roster entry counts")
    eq(codes(p.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])), ["MODE_MISMATCH"], "WFO on a WFH day")


@test
def a_units_first_check_in_of_the_day_brings_its_colleagues_facts(env):
    # The morning: the first check-in of a unit's day reads every employee's facts of that day, so that the
    # others' first check-ins come from the cache; a fact changed after that read is still judged fresh.
    unit = unit_with_office(env, "-MORN")
    first, plain, rostered, revoked = (Phone(env.svc, env.db, unit["id"]) for _ in range(4))
    before, reads = contexts(env), unit_reads(env.svc, unit)
    eq(codes(first.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])), [], "the unit's first check-in of the day")
    eq(contexts(env)["database"] - before["database"], 1, "read from the database")
    wait_unit_read(env.svc, unit, reads)
    env.db.sql("INSERT INTO roster_entries (employee_id, day, unit_id, mode) VALUES (:'e', :'d', :'u', 'WFH')",
               f"e={rostered.employee_id}", f"d={local_day(unit)}", f"u={unit['id']}")
    env.db.sql("UPDATE devices SET active = false, revoked_at = now() WHERE id = :'d'", f"d={revoked.device_id}")
    before = contexts(env)
    r = plain.post(plain.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]), no_token=True)
    eq(codes(r), [], "a colleague's first check-in, without a token")
    eq(contexts(env)["cache"] - before["cache"], 1, "its facts came from the cache")
    before = contexts(env)
    eq(codes(rostered.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])), ["MODE_MISMATCH"],
       "judged on the roster entry made after the unit's facts were read")
    eq(contexts(env)["stale"] - before["stale"], 1, "the cached roster was found stale")
    r = revoked.post(revoked.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]), no_token=True)
    eq((r.status, r.error_code()), (403, "device_not_bound"), "a device revoked after the read")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE unit_id = :'u'", f"u={unit['id']}"), [["3"]],
       "three check-ins stored, none for the revoked device")


@test
def a_units_new_read_replaces_its_employees_older_facts(env):
    # After a change of the setup (a new generation), the unit's next read brings every employee's facts
    # anew: a colleague cached before it is then judged on them without a stale round.
    unit = unit_with_office(env, "-GEN")
    a, b = Phone(env.svc, env.db, unit["id"]), Phone(env.svc, env.db, unit["id"])
    eq(codes(a.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=minutes_ago(10))), [], "a's first")
    eq(codes(b.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=minutes_ago(10))), [], "b's first")
    env.db.sql("UPDATE offices SET name = 'Kantor Baru' WHERE unit_id = :'u'", f"u={unit['id']}")
    before, reads = contexts(env), unit_reads(env.svc, unit)
    eq(codes(a.checkin(type="out", lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])), [], "a after the change")
    eq(contexts(env)["stale"] - before["stale"], 1, "a's cached facts were of the old setup")
    wait_unit_read(env.svc, unit, reads)
    before = contexts(env)
    eq(codes(b.checkin(type="out", lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])), [], "b after a's new read")
    after = contexts(env)
    eq((after["cache"] - before["cache"], after["stale"] - before["stale"]), (1, 0),
       "b's facts came from the unit's new read")


@test
def a_revoked_device_or_a_disabled_login_after_caching_is_refused(env):
    p = warm(env)
    env.db.sql("UPDATE devices SET active = false, revoked_at = now() WHERE id = :'d'", f"d={p.device_id}")
    r = p.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])
    eq((r.status, r.error_code()), (403, "device_not_bound"), "revoked device")
    q = warm(env)
    env.db.sql("UPDATE accounts SET disabled = true WHERE employee_id = :'e'", f"e={q.employee_id}")
    r = q.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])
    eq(r.status, 401, f"disabled login: {r}")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE employee_id IN (:'a', :'b')",
                  f"a={p.employee_id}", f"b={q.employee_id}"), [["4"]], "only the warming check-ins")


@test
def a_check_in_stored_elsewhere_moves_the_history_on(env):
    # Another service instance stores a check-in from Surabaya a minute after the cached one.
    p = warm(env)
    captured = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60)
    env.db.sql("INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,"
               " local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, payload, signature, judged_at,"
               " counts_for_day, after_closure)"
               " VALUES (:'e', :'u', :'d', 'elsewhere-nonce-0000000', 'in', 'WFO', :'t', now(), :'day',"
               " -7.2575, 112.7521, 10, false, false, 660000, '\\x00', '\\x00', now(), false, false)",
               f"e={p.employee_id}", f"u={env.unit['id']}", f"d={p.device_id}", f"t={captured.isoformat()}",
               f"day={local_day(env.unit)}")
    r = p.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=rfc3339(captured.timestamp() + 60))
    eq(codes(r), ["IMPOSSIBLE_TRAVEL"], "660 km in a minute, from the check-in stored elsewhere")


@test
def an_employee_moved_to_another_unit_is_judged_by_the_new_one(env):
    p = warm(env)
    env.db.sql("UPDATE employees SET unit_id = :'u' WHERE id = :'e'", f"u={env.other['id']}", f"e={p.employee_id}")
    r = p.checkin(lat=MONAS[0], lon=MONAS[1])
    eq(codes(r), [], "inside the new unit's office")
    eq(r.json()["geofence"]["place"], f"office:{env.other['office_id']}", "the new unit's office")
    eq(env.db.sql("SELECT unit_id FROM checkins WHERE id = :'c'", f"c={r.json()['checkin_id']}"),
       [[str(env.other["id"])]], "stored under the new unit")


@test
def concurrent_check_ins_of_one_employee_each_see_the_other(env):
    # Two "in" check-ins at once on a warm entry: exactly one can be judged first of the day; the guard makes
    # the other one be judged again after it, so the second sees a previous check-in and an earlier "in".
    p = warm(env)
    results = []
    payloads = [p.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]) for _ in range(4)]
    threads = [threading.Thread(target=lambda b=b: results.append(p.post(b))) for b in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(r.status for r in results), [201] * 4, "all stored")
    rows = env.db.sql("SELECT count(*) FROM checkins WHERE employee_id = :'e'", f"e={p.employee_id}")
    eq(rows, [["6"]], "two warming check-ins and four more")


@test
def without_the_cache_every_check_in_reads_the_database(env):
    cold = admin_env(ATTENDANCE_CONTEXT_CACHE_EMPLOYEES="0")
    try:
        a = Agency(cold.svc)
        unit = a.unit(a.prefix + "-COLD", "administrative", work_hours={})
        p = Phone(cold.svc, cold.db, unit["id"])
        for _ in range(3):
            eq(p.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]).status, 201, "stored")
        got = contexts(cold)
        eq((got["cache"], got["database"]), (0, 3), "three reads, no cache")
    finally:
        cold.close()


def enrol(env, p):
    """p's device revoked and a new key enrolled through the API (POST /v1/devices, p's fresh password login)."""
    import nacl.signing
    from harness import b64url
    env.db.sql("UPDATE devices SET active = false, revoked_at = now() WHERE id = :'d'", f"d={p.device_id}")
    key = nacl.signing.SigningKey.generate()
    r = env.svc.request("POST", "/v1/devices", {"public_key": b64url(key.verify_key.encode()), "label": "new phone"},
                        token=p.token)
    eq(r.status, 201, f"enrolment: {r}")
    p.key, p.device_id = key, r.json()["device_id"]


@test
def a_device_enrolled_today_checks_in_first_from_the_cache(env):
    # The unit's day was read (a colleague checked in); an employee enrols a phone after it: the day reader reads
    # that employee's facts, so the new phone's first check-in of the day is a cache hit as well.
    unit = unit_with_office(env, "-ENROL")
    colleague, p = Phone(env.svc, env.db, unit["id"]), Phone(env.svc, env.db, unit["id"])
    reads = unit_reads(env.svc, unit)
    eq(codes(colleague.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])), [], "the colleague's first")
    wait_unit_read(env.svc, unit, reads)
    reads = unit_reads(env.svc, unit)
    enrol(env, p)
    wait_unit_read(env.svc, unit, reads)
    check(re.search(rf"unit {unit['id']}'s day \S+ read for 1 employees", env.svc.log_text()),
          "the enrolment read the one employee's facts, not the unit's")
    before = contexts(env)
    r = p.post(p.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]), no_token=True)
    eq(codes(r), [], "the new phone's first check-in, without a token")
    eq(contexts(env)["cache"] - before["cache"], 1, "its facts came from the cache")
    eq(env.db.sql("SELECT device_id FROM checkins WHERE id = :'c'", f"c={r.json()['checkin_id']}"),
       [[str(p.device_id)]], "stored for the new device")


@test
def an_enrolment_in_a_unit_not_read_today_reads_the_unit(env):
    unit = unit_with_office(env, "-ENROL2")
    p, other = Phone(env.svc, env.db, unit["id"]), Phone(env.svc, env.db, unit["id"])
    reads = unit_reads(env.svc, unit)
    enrol(env, p)
    wait_unit_read(env.svc, unit, reads)
    before = contexts(env)
    for phone in (p, other):
        eq(codes(phone.post(phone.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]), no_token=True)), [], "first")
    eq(contexts(env)["cache"] - before["cache"], 2, "both first check-ins came from the cache")


@test
def the_service_reads_its_units_days_when_it_starts(env):
    # The morning after a restart (or after the unit's local midnight: the same scan, every
    # ATTENDANCE_DAY_READ_AHEAD_S): every unit with devices is read before anyone checks in.
    from harness import Service
    unit = unit_with_office(env, "-START")
    phones = [Phone(env.svc, env.db, unit["id"]) for _ in range(3)]
    svc = Service(env.db.url, migrate=False, ATTENDANCE_DAY_READ_AHEAD_S="3600")
    try:
        deadline = time.monotonic() + 10
        while not re.search(r"units' days read ahead", svc.log_text()):
            check(time.monotonic() < deadline, "no scan within 10 s of the start")
            time.sleep(0.05)
        check(unit_reads(svc, unit) == 1, "the unit's day was read once")
        for p in phones:
            p.svc = svc
            r = p.post(p.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]), no_token=True)
            eq(codes(r), [], "a first check-in after the start")
        got = contexts(svc)
        eq((got["cache"], got["database"]), (3, 0), "every first check-in came from the cache")
    finally:
        svc.close()


@test
def a_unit_the_cache_has_no_room_for_is_not_read_ahead(env):
    # Reading more employees than the cache holds would empty it (its crude bound): such a unit is left to its
    # check-ins, and the scan says so.
    from harness import Service
    unit = unit_with_office(env, "-ROOM")
    phones = [Phone(env.svc, env.db, unit["id"]) for _ in range(3)]
    svc = Service(env.db.url, migrate=False, ATTENDANCE_DAY_READ_AHEAD_S="3600", ATTENDANCE_CONTEXT_CACHE_EMPLOYEES="2")
    try:
        deadline = time.monotonic() + 10
        while not re.search(r"units' days read ahead", svc.log_text()):
            check(time.monotonic() < deadline, "no scan within 10 s of the start")
            time.sleep(0.05)
        check(re.search(r"[1-9]\d* not, for want of room in the cache", svc.log_text()), "the scan says what it left")
        eq(unit_reads(svc, unit), 0, "the unit of three was not read into a cache of two")
        p = phones[0]
        p.svc = svc
        eq(codes(p.post(p.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1]), no_token=True)), [], "its check-in")
        eq(contexts(svc)["database"], 1, "read its own facts")
    finally:
        svc.close()


@test
def two_check_ins_judged_at_once_are_stored_one_after_the_other(env):
    # A phone sends two check-ins at the same instant from two places 720 m apart (say, one from a spoofed
    # position): one after the other, the second is IMPOSSIBLE_TRAVEL. Here both are judged on the same facts
    # before either is stored (a lock held on checkin_nonces stops both inside their inserts, after their
    # guards have read): they must still be stored one after the other, the second judged after the first.
    p = warm(env)
    now = rfc3339(time.time())
    payloads = [p.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=now),
                p.payload(lat=MONAS[0], lon=MONAS[1], captured_at=now)]
    locked, results = threading.Event(), []

    def hold_lock():
        env.db.sql("BEGIN; LOCK TABLE checkin_nonces IN SHARE MODE; SELECT pg_sleep(0.1); "
                   "SELECT pg_sleep(1.5); COMMIT")

    holder = threading.Thread(target=hold_lock)
    holder.start()
    time.sleep(0.5)  # the lock is taken
    # Colleagues check in meanwhile: a batch that holds the second of the pair and fails on its claim stores
    # them one by one (attendance-svc/checkin_writer.c), and theirs are stored all the same.
    colleagues = [warm(env) for _ in range(2)]
    payloads += [c.payload(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1], captured_at=now) for c in colleagues]
    phones = [p, p] + colleagues
    threads = [threading.Thread(target=lambda b=b, ph=ph: results.append((ph, ph.post(b))))
               for b, ph in zip(payloads, phones)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    holder.join()
    eq(sorted(r.status for _, r in results), [201] * 4, "all stored")
    pair = [r for ph, r in results if ph is p]
    flagged = [r for r in pair if "IMPOSSIBLE_TRAVEL" in codes(r)]
    eq(len(flagged), 1, "the one stored second is judged after the first: 720 m in no time")
    eq(flagged[0].json()["checkin_id"], max((r.json()["checkin_id"] for r in pair), key=int), "flagged: the later")
    eq([codes(r) for ph, r in results if ph is not p], [[], []], "the colleagues' check-ins, as they were")
    rows = env.db.sql("SELECT employee_seq FROM checkins WHERE employee_id = :'e' ORDER BY id", f"e={p.employee_id}")
    eq(rows, [["1"], ["2"], ["3"], ["4"]], "each check-in claimed the employee's next number")


@test
def check_ins_stored_together_each_get_their_own_answer(env):
    # Check-ins that arrive while the writers are busy are stored in one statement (checkin_writer.c): a lock
    # on checkin_nonces holds the first writers inside their inserts while the others queue behind them. Each
    # answer must be its own check-in's: its id, its place, its violations.
    phones = [warm(env) for _ in range(12)]
    before = batches(env)
    now = rfc3339(time.time())
    places = [BALAI_KOTA if i % 2 == 0 else MONAS for i in range(len(phones))]  # Monas: outside the geofence
    payloads = [ph.payload(lat=place[0], lon=place[1], captured_at=now) for ph, place in zip(phones, places)]
    results = {}

    def hold_lock():
        env.db.sql("BEGIN; LOCK TABLE checkin_nonces IN SHARE MODE; SELECT pg_sleep(1.5); COMMIT")

    holder = threading.Thread(target=hold_lock)
    holder.start()
    time.sleep(0.5)
    threads = [threading.Thread(target=lambda i=i: results.update({i: phones[i].post(payloads[i])}))
               for i in range(len(phones))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    holder.join()
    for i, ph in enumerate(phones):
        r = results[i]
        eq(codes(r), [] if places[i] is BALAI_KOTA else ["OUTSIDE_GEOFENCE"], f"phone {i}'s violations")
        eq(r.json()["geofence"]["inside"], places[i] is BALAI_KOTA, f"phone {i}'s place")
        stored = env.db.sql("SELECT device_id, lat FROM checkins WHERE id = :'c'", f"c={r.json()['checkin_id']}")
        eq(stored, [[str(ph.device_id), str(places[i][0])]], f"phone {i}'s answer names its own check-in")
    statements, rows = (a - b for a, b in zip(batches(env), before))
    eq(rows, 12, "twelve check-ins written")
    check(statements < rows, f"some were stored together: {rows} in {statements} statements")


@test
def of_two_check_ins_captured_in_one_millisecond_the_later_stored_is_the_previous(env):
    # warm() sends an "in" and an "out" captured at the same instant. The cache takes the later stored as the
    # latest check-in; the guard, ordering by captured_at alone, found the earlier one, and every such
    # employee's next check-in was judged twice. Ties now go to the higher id in both.
    p = warm(env)
    before = contexts(env)
    eq(codes(p.checkin(lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])), [], "stored")
    after = contexts(env)
    eq((after["cache"] - before["cache"], after["stale"] - before["stale"]), (1, 0), "from the cache, not stale")
