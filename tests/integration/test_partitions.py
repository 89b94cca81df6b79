"""Monthly partitions of check-ins, violations and selfie records (sql/0015), the months the nightly makes
ahead, nonces that outlive their month, and the selfie retention (docs/scaling.md, "Data growth")."""
import datetime
import hashlib
import os
import secrets
import shutil
import subprocess
import tempfile
import zoneinfo

from harness import (ADMIN_PASSWORD, BELIEVE_PHONES, SVC, Agency, Database, Phone, admin_env, base_env, check,
                     check_sanitizers, eq, jpeg, log_records, login, migrate_before, rfc3339, run_svc, test)

BALAI_KOTA = (-6.1818, 106.8283)
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")  # WIB, WITA, WIT


def setup():
    env = admin_env()
    env.agency = Agency(env.svc, **BELIEVE_PHONES)  # check-ins of past months, sent today
    env.work = tempfile.mkdtemp(prefix="partitions-")
    env.key_file = os.path.join(env.work, "export.key")
    out = subprocess.run([SVC, "export-keygen", "--out", env.key_file], env=base_env(env.db.url),
                         capture_output=True, text=True, timeout=60)
    check_sanitizers(out.stderr, "export-keygen")
    check(out.returncode == 0, f"export-keygen: {out.stderr}")
    username = "reviewer-" + secrets.token_hex(4)
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id) "
               "SELECT :'u', password_hash, 'reviewer', :'unit' FROM accounts WHERE username = 'admin'",
               f"u={username}", f"unit={env.agency.top['id']}")
    env.reviewer = login(env.svc, username, ADMIN_PASSWORD)
    return env


def teardown(env):
    shutil.rmtree(env.work, ignore_errors=True)
    env.close()


def month_name(table, day):
    return f"{table}_{day.year:04d}{day.month:02d}"


def add_months(day, n):
    m = day.month - 1 + n
    return datetime.date(day.year + m // 12, m % 12 + 1, 1)


def partitions(db, table):
    return {r[0] for r in db.sql("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                 "WHERE i.inhparent = :'t'::regclass", f"t={table}")}


def drop_month(db, day):
    """Drops a month's partitions as an operator would: detached first (PostgreSQL checks nothing refers to them)."""
    for table in ("violations", "checkins", "selfies"):
        name = month_name(table, day)
        if name in partitions(db, table):
            db.sql(f"ALTER TABLE {table} DETACH PARTITION {name}; DROP TABLE {name}")


def nightly(env, day, **settings):
    out_dir = os.path.join(env.work, "out-" + secrets.token_hex(4))
    vars = base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=env.key_file, ATTENDANCE_SELFIE_DIR=env.svc.selfie_dir,
                    **settings)
    return run_svc(["nightly", "--date", day, "--out", out_dir], vars, timeout=120)


def where(db, table, id_column, id_value):
    return db.sql(f"SELECT tableoid::regclass::text FROM {table} WHERE {id_column} = :'v'", f"v={id_value}")[0][0]


@test
def the_migration_moves_history_into_its_months(env):
    db = Database()
    try:
        migrate_before(db, "0011")
        sha = "ab" * 32
        db.sql("""
            INSERT INTO units (code, name, category, timezone, work_hours, agency_id)
            VALUES ('MIG', 'Unit MIG', 'administrative', 'Asia/Jakarta', '{}', 1);
            INSERT INTO employees (nip, name, unit_id) VALUES ('198001012000019001', 'Lama', 1);
            INSERT INTO accounts (username, password_hash, role, unit_id) VALUES ('rev', 'x', 'reviewer', 1);
            INSERT INTO devices (employee_id, public_key, label) VALUES (1, sha256('k'), 'old phone');
            INSERT INTO selfies (sha256, content_type, size_bytes, stored_at) VALUES (:'sha', 'image/jpeg', 10,
                '2025-01-15 07:00+07');
            INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at, received_at,
                local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, selfie_sha256, payload, signature)
            VALUES (1, 1, 1, 'jan-nonce', 'in', 'WFH', '2025-01-15 07:00+07', '2025-01-15 07:00+07', '2025-01-15',
                    0, 0, 5, false, true, 0, :'sha', '\\x01', '\\x02'),
                   (1, 1, 1, 'mar-nonce', 'in', 'WFO', '2025-03-03 07:00+07', '2025-03-03 07:00+07', '2025-03-03',
                    0, 0, 5, false, true, 0, NULL, '\\x03', '\\x04');
            INSERT INTO violations (employee_id, unit_id, checkin_id, day, code) VALUES (1, 1, 1, '2025-01-15',
                'LATE_ARRIVAL'), (1, 1, NULL, '2025-03-04', 'ABSENT');
            INSERT INTO violation_decisions (violation_id, version, decision, sanction, decided_by)
            VALUES (1, 2, 'confirmed', 'teguran_lisan', 1);
            """, f"sha={sha}")
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, f"migrate to 0015: {lines[-3:]}")
        eq(db.sql("SELECT tableoid::regclass::text, id, nonce FROM checkins ORDER BY id"),
           [["checkins_202501", "1", "jan-nonce"], ["checkins_202503", "2", "mar-nonce"]], "each check-in in its month")
        eq(db.sql("SELECT tableoid::regclass::text, id, checkin_id FROM violations ORDER BY id"),
           [["violations_202501", "1", "1"], ["violations_202503", "2", ""]], "each violation in its month")
        eq(db.sql("SELECT tableoid::regclass::text, day FROM selfies"), [["selfies_202501", "2025-01-15"]],
           "the selfie record, on the day of its check-in")
        eq(db.sql("SELECT device_id, nonce, checkin_id, local_day FROM checkin_nonces ORDER BY checkin_id"),
           [["1", "jan-nonce", "1", "2025-01-15"], ["1", "mar-nonce", "2", "2025-03-03"]], "every nonce kept")
        eq(db.sql("SELECT violation_id, violation_day FROM violation_decisions"), [["1", "2025-01-15"]],
           "the decision names its violation's day")
        check({"checkins_202502", "checkins_default"} <= partitions(db, "checkins"),
              "the months between and a default partition")
        today = datetime.date.today()
        check(month_name("checkins", add_months(today, 2)) in partitions(db, "checkins"), "two months ahead")
        # Ids go on from the old sequence; the old nonce is still taken, whatever the month.
        new_id = db.sql("INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at,"
                        " received_at, local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, payload,"
                        " signature, judged_at, counts_for_day, after_closure) VALUES (1, 1, 1, 'new-nonce', 'out',"
                        " 'WFO', now(), now(), current_date, 0, 0, 5, false, true, 0, '\\x05', '\\x06', now(), true,"
                        " false) RETURNING id")
        eq(new_id, [["3"]], "the next id")
        eq(db.sql("INSERT INTO checkins (employee_id, unit_id, device_id, nonce, type, mode, captured_at,"
                  " received_at, local_day, lat, lon, accuracy_m, mock_location, inside, distance_m, payload,"
                  " signature, judged_at, counts_for_day, after_closure) VALUES (1, 1, 1, 'jan-nonce', 'out', 'WFO',"
                  " now(), now(), current_date, 0, 0, 5, false, true, 0, '\\x05', '\\x06', now(), true, false)"
                  " RETURNING id"), [], "a taken nonce stores nothing")
    finally:
        db.drop()


@test
def the_nightly_makes_the_months_ahead_before_anything_else(env):
    today = datetime.date.today()
    ahead = [add_months(today, n) for n in (1, 2)]
    for day in ahead:
        drop_month(env.db, day)
    check(month_name("checkins", ahead[1]) not in partitions(env.db, "checkins"), "dropped")
    code, lines = nightly(env, today.isoformat())
    eq(code, 0, f"nightly: {lines[-3:]}")
    for table in ("checkins", "violations", "selfies"):
        for day in [today] + ahead:
            check(month_name(table, day) in partitions(env.db, table), f"{month_name(table, day)} after the nightly")
    msgs = [r.get("msg", "") for r in log_records(lines)]
    made = [r for r in log_records(lines) if r.get("msg") == "partitions: months ahead made"]
    eq([(r["made"], r["default_partition_rows"]) for r in made], [(6, 0)], "six partitions made, none in default")
    eq(msgs.index("partitions: months ahead made"), 0, f"the first thing the nightly does: {msgs}")
    code, lines = nightly(env, today.isoformat())
    eq(code, 0, f"nightly again: {lines[-3:]}")
    eq([r["made"] for r in log_records(lines) if r.get("msg") == "partitions: months ahead made"], [0],
       "the second run makes none")


@test
def a_check_in_on_a_month_boundary_lands_in_its_local_month(env):
    for zone in ZONES:
        unit = env.agency.unit(env.agency.prefix + "-" + zone.split("/")[1][:4].upper(), "administrative",
                               timezone=zone, parent_id=env.agency.top["id"], **BELIEVE_PHONES)
        tz = zoneinfo.ZoneInfo(zone)
        first = datetime.datetime.now(tz).date().replace(day=1)
        env.db.sql("SELECT create_month_partitions(:'d'::date - 1, :'d'::date)", f"d={first}")
        p = Phone(env.svc, env.db, unit["id"])
        midnight = datetime.datetime.combine(first, datetime.time(0, 0), tz)
        for seconds, month in ((-30, add_months(first, -1)), (30, first)):
            at = midnight + datetime.timedelta(seconds=seconds)
            r = p.checkin(captured_at=rfc3339(at.timestamp()), lat=BALAI_KOTA[0], lon=BALAI_KOTA[1])
            eq(r.status, 201, f"{zone} {at.isoformat()}: {r}")
            checkin_id = r.json()["checkin_id"]
            eq(where(env.db, "checkins", "id", checkin_id), month_name("checkins", month),
               f"{zone} {at.isoformat()} lands in its local month")
            for v in r.json()["violations"]:
                eq(where(env.db, "violations", "id", v["violation_id"]), month_name("violations", month),
                   f"its {v['code']} with it")


@test
def a_month_old_nonce_is_still_recognised(env):
    p = Phone(env.svc, env.db, env.agency.unit_a["id"])
    captured = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=35)
    day = captured.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta")).date()
    made = env.db.sql("SELECT create_month_partitions(:'d', :'d')", f"d={day}")[0][0]
    eq(env.db.sql("SELECT create_month_partitions(:'d', :'d')", f"d={day}"), [["0"]], "idempotent")
    check(made in ("0", "3"), f"made {made}")
    payload = p.payload(captured_at=rfc3339(captured.timestamp()))
    first = p.post(payload)
    eq(first.status, 201, f"a check-in of {day}: {first}")
    checkin_id = first.json()["checkin_id"]
    eq(where(env.db, "checkins", "id", checkin_id), month_name("checkins", day), "in its month")
    again = p.post(payload)
    eq((again.status, again.json()), (200, first.json()), "the same bytes a month later: its first answer")
    nonce = __import__("json").loads(payload)["nonce"]
    other = p.post(p.payload(nonce=nonce))
    eq((other.status, other.error_code()), (409, "nonce_reused"), "the nonce today with other bytes")
    eq(env.db.sql("SELECT count(*) FROM checkins WHERE device_id = :'d'", f"d={p.device_id}"), [["1"]],
       "one check-in")


@test
def a_month_without_its_partition_goes_to_default_until_moved_out(env):
    p = Phone(env.svc, env.db, env.agency.unit_a["id"])
    month = datetime.date(datetime.date.today().year - 8, 1, 1)  # within the ten years a unit may believe a phone
    day = month.replace(day=15)
    r = p.checkin(captured_at=f"{day.isoformat()}T07:00:00+07:00")
    eq(r.status, 201, f"a check-in held since {day}: {r}")
    eq(where(env.db, "checkins", "id", r.json()["checkin_id"]), "checkins_default", "kept in the default partition")
    first, last = month.isoformat(), month.replace(day=31).isoformat()
    try:
        env.db.sql("SELECT create_month_partitions(:'f', :'l')", f"f={first}", f"l={last}")
        check(False, "a month with rows in default was made")
    except RuntimeError as e:
        check(f"{month.strftime('%Y-%m')} in checkins are in checkins_default" in str(e),
              f"the refusal names the month: {e}")
    env.db.sql("DELETE FROM violations WHERE day = :'d'; DELETE FROM checkins WHERE local_day = :'d'", f"d={day}")
    eq(env.db.sql("SELECT create_month_partitions(:'f', :'l')", f"f={first}", f"l={last}"), [["3"]],
       "made once empty")
    drop_month(env.db, month)


def selfie_checkin(env, p, selfie, days_ago):
    captured = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago)
    day = captured.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta")).date()
    env.db.sql("SELECT create_month_partitions(:'d', :'d')", f"d={day}")
    r = p.checkin(selfie=selfie, mode="WFH", captured_at=rfc3339(captured.timestamp()))
    eq(r.status, 201, f"a check-in with a selfie {days_ago} days ago: {r}")
    return r.json()["checkin_id"]


@test
def retention_deletes_old_selfies_and_their_read_answers_410(env):
    p = Phone(env.svc, env.db, env.agency.unit_a["id"])
    old, shared, recent = jpeg(), jpeg(), jpeg()
    old_id = selfie_checkin(env, p, old, 50)
    shared_old_id = selfie_checkin(env, p, shared, 45)
    shared_new_id = selfie_checkin(env, p, shared, 2)  # the same bytes sent again lately
    recent_id = selfie_checkin(env, p, recent, 1)

    def stored(data):
        sha = hashlib.sha256(data).hexdigest()
        return os.path.exists(os.path.join(env.svc.selfie_dir, sha[:2], sha))

    def read(checkin_id):
        return env.svc.request("GET", f"/v1/checkins/{checkin_id}/selfie", token=env.reviewer)

    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date().isoformat()
    code, lines = nightly(env, today, ATTENDANCE_SELFIE_RETENTION_DAYS=0)
    eq(code, 0, f"nightly keeping all: {lines[-3:]}")
    check(stored(old) and read(old_id).status == 200, "0 keeps every selfie")

    code, lines = nightly(env, today, ATTENDANCE_SELFIE_RETENTION_DAYS=30)
    eq(code, 0, f"nightly with 30 days: {lines[-3:]}")
    eq((stored(old), stored(shared), stored(recent)), (False, True, True),
       "the old file deleted; one sent again lately kept")
    r = read(old_id)
    eq((r.status, r.error_code()), (410, "selfie_purged"), "a purged selfie is gone")
    for checkin_id in (shared_old_id, shared_new_id, recent_id):
        eq(read(checkin_id).status, 200, f"check-in {checkin_id}'s selfie is served")
    sha = hashlib.sha256(old).hexdigest()
    eq(env.db.sql("SELECT c.selfie_sha256, s.purged_at IS NOT NULL FROM checkins c JOIN selfies s"
                  " ON s.sha256 = c.selfie_sha256 AND s.day = c.local_day WHERE c.id = :'c'", f"c={old_id}"),
       [[sha, "t"]], "the check-in keeps the hash, the record says purged")
    purged = [r for r in log_records(lines) if r.get("msg") == "retention: selfies purged"]
    eq([r["files"] for r in purged], [1], "one file purged")
    code, lines = nightly(env, today, ATTENDANCE_SELFIE_RETENTION_DAYS=30)
    eq([r["files"] for r in log_records(lines) if r.get("msg") == "retention: selfies purged"], [0],
       "a second run has nothing to do")
