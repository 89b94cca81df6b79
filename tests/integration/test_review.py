"""
The review of violations: the console's list (filters, scopes, paging while violations arrive), a
violation's evidence, selfies, reviewers' decisions (optimistic, revisable, audited), and the audit
log's hash chain with `attendance-svc audit-verify`.
"""
import datetime
import hashlib
import json
import os
import secrets
import subprocess
import threading
import urllib.parse
import zoneinfo

from harness import (ADMIN_PASSWORD, SVC, Agency, Database, Phone, admin_env, base_env, check, check_sanitizers,
                     eq, jpeg, login, make_employee, make_staff, png, run_svc, test)

BALAI_KOTA = (-6.1818, 106.8283)
FAR = (BALAI_KOTA[0] + 500 / 111195.0, BALAI_KOTA[1])  # 500 m north: 400 m outside a 100 m circle
NO_WORK_DAYS = {}  # no lateness or early departure to add to the violations a test expects
GENESIS = "0" * 64


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    env.other = Agency(env.svc)  # another agency: out of its reviewers' scope, and they out of ours
    env.unit = a.unit(a.prefix + "-REV", "administrative", parent_id=a.top["id"], work_hours=NO_WORK_DAYS)
    r = env.svc.request("POST", "/v1/offices", {"unit_id": env.unit["id"], "name": "Balai Kota", "geofence": {
        "type": "circle", "lat": BALAI_KOTA[0], "lon": BALAI_KOTA[1], "radius_m": 100}}, token=a.admin)
    check(r.status == 201, f"office: {r}")
    env.office_id = r.json()["id"]
    env.admin = a.admin
    env.reviewer = make_staff(env, "reviewer", a.top["id"])
    env.reviewer2 = make_staff(env, "reviewer", a.top["id"])
    env.other_reviewer = make_staff(env, "reviewer", env.other.top["id"])
    env.supervisor = make_staff(env, "supervisor", env.unit["id"])  # the unit of the check-ins
    env.supervisor_a = make_staff(env, "supervisor", a.unit_a["id"])  # another unit of the same agency
    env.employee_id, nip = make_employee(env.db, a.unit_a["id"])
    env.employee = login(env.svc, nip, ADMIN_PASSWORD)
    return env


def teardown(env):
    env.close()



def violation(env, unit_id, code="OUTSIDE_GEOFENCE", day="2023-09-04", status="pending", employee_id=None):
    """A violation made with SQL (as the nightly closure makes ABSENT: no check-in); returns its id."""
    if employee_id is None:
        employee_id = make_employee(env.db, unit_id)[0]
    return env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code, status) "
                      "VALUES (:'e', :'u', :'d', :'c', :'s') RETURNING id",
                      f"e={employee_id}", f"u={unit_id}", f"d={day}", f"c={code}", f"s={status}")[0][0]


def get(env, path, token):
    return env.svc.request("GET", path, token=token)


def listed(env, query, token, limit=500):
    """Ids of every violation the list gives for the query, page by page, in the order given."""
    ids, cursor = [], None
    while True:
        url = f"/v1/violations?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = get(env, url, token)
        eq(r.status, 200, f"GET {url}: {r}")
        page = r.json()
        check(len(page["items"]) <= limit, "the limit is honoured")
        ids += [v["id"] for v in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def decide(env, violation_id, token, decision="confirmed", sanction=None, version=1, **extra):
    body = {"decision": decision, "sanction": sanction, "note": "checked", "version": version}
    body.update(extra)
    return env.svc.request("POST", f"/v1/violations/{violation_id}/decision", body, token=token)


def local_today():
    return datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date()


# ---- the list ----

@test
def the_list_filters_by_status_unit_code_and_days_within_the_callers_scope(env):
    a, o = env.agency, env.other
    rows = {
        "a1": violation(env, a.unit_a["id"], "LATE_ARRIVAL", "2023-09-01"),
        "a2": violation(env, a.unit_a["id"], "MOCK_LOCATION", "2023-09-04", "confirmed"),
        "a3": violation(env, a.unit_a["id"], "ABSENT", "2023-09-05", "dismissed"),
        "b1": violation(env, a.unit_b["id"], "MOCK_LOCATION", "2023-09-04"),
        "b2": violation(env, a.unit_b["id"], "NO_CHECKOUT", "2023-09-07"),
        "o1": violation(env, o.unit_a["id"], "MOCK_LOCATION", "2023-09-04"),
    }
    name = {v: k for k, v in rows.items()}

    def names(query, token=env.reviewer):
        return [name[i] for i in listed(env, query, token, limit=2) if i in name]

    eq(names(""), ["b2", "b1", "a3", "a2", "a1"], "a reviewer: its agency, newest first")
    eq(names("", env.supervisor_a), ["a3", "a2", "a1"], "a supervisor: its unit")
    eq(names("", env.admin), ["o1", "b2", "b1", "a3", "a2", "a1"], "an admin: every agency")
    eq(names("", env.other_reviewer), ["o1"], "the other agency's reviewer")
    cases = {
        "status=pending": ["b2", "b1", "a1"],
        "status=confirmed": ["a2"],
        "status=dismissed&unit_id=" + a.unit_a["id"]: ["a3"],
        "unit_id=" + a.unit_b["id"]: ["b2", "b1"],
        "code=MOCK_LOCATION": ["b1", "a2"],
        "code=MOCK_LOCATION&status=pending": ["b1"],
        "code=UNKNOWN_CODE": [],
        "from=2023-09-04&to=2023-09-04": ["b1", "a2"],
        "from=2023-09-04&to=2023-09-05": ["b1", "a3", "a2"],
        "from=2023-09-05": ["b2", "a3"],
        "to=2023-09-04": ["b1", "a2", "a1"],
        "from=2023-09-08&to=2023-09-01": [],
        f"from=2023-09-04&to={local_today()}": ["b2", "b1", "a3", "a2"],
        "from=2023-09-01&to=2023-09-07&code=MOCK_LOCATION&unit_id=" + a.unit_b["id"]: ["b1"],
        "status=&code=&unit_id=&from=&to=": ["b2", "b1", "a3", "a2", "a1"],
    }
    for query, want in cases.items():
        eq(names(query), want, query)
    eq(names("status=pending&from=2023-09-04", env.supervisor_a), [], "a supervisor's filters stay in its unit")
    item = get(env, "/v1/violations?code=ABSENT&unit_id=" + a.unit_a["id"], env.reviewer).json()["items"][0]
    eq(sorted(item), ["checkin_id", "code", "created_at", "day", "decision", "employee_id", "evidence", "id",
                      "status", "unit_id", "version"], "an item's fields")
    eq((item["id"], item["checkin_id"], item["day"], item["version"], item["decision"]),
       (rows["a3"], None, "2023-09-05", 1, None), "an ABSENT without a check-in")


@test
def the_list_refuses_bad_filters_and_units_out_of_scope(env):
    a = env.agency
    for query, field in (("status=open", "status"), ("status=Pending", "status"), ("code=late", "code"),
                         ("code=AB", "code"), ("from=2023-02-30", "from"), ("to=4-9-2023", "to"),
                         ("from=2023-09-04T00:00:00Z", "from"), ("unit_id=abc", "unit_id"), ("limit=0", "limit"),
                         ("limit=501", "limit"), ("cursor=zz", "cursor")):
        r = get(env, "/v1/violations?" + query, env.reviewer)
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (400, "invalid_field", field), query)
    for token, unit in ((env.supervisor_a, a.unit_b["id"]), (env.reviewer, env.other.unit_a["id"]),
                        (env.reviewer, "999999999")):
        r = get(env, "/v1/violations?unit_id=" + unit, token)
        eq((r.status, r.error_code()), (404, "not_found"), f"unit {unit}")
    eq(get(env, "/v1/violations", env.employee).status, 403, "employees do not list violations")


@test
def paging_is_stable_while_violations_arrive(env):
    unit = env.agency.unit(env.agency.prefix + "-PAGE", "administrative", parent_id=env.agency.top["id"])
    employee_id = make_employee(env.db, unit["id"])[0]
    existing = [violation(env, unit["id"], "LATE_ARRIVAL", "2023-09-04", employee_id=employee_id) for _ in range(11)]
    for query in ("", "status=pending", "code=LATE_ARRIVAL", "from=2023-09-01&to=2023-09-30"):
        seen, cursor, arrived = [], None, []
        while True:
            url = f"/v1/violations?unit_id={unit['id']}&limit=3&{query}" + (f"&cursor={cursor}" if cursor else "")
            page = get(env, url, env.reviewer).json()
            seen += [v["id"] for v in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
            # Between two pages, two violations arrive.
            arrived += [violation(env, unit["id"], "LATE_ARRIVAL", "2023-09-04", employee_id=employee_id)
                        for _ in range(2)]
        eq(len(seen), len(set(seen)), f"{query}: no violation twice")
        check(set(existing) <= set(seen), f"{query}: every violation there at the first page is listed: "
                                          f"missing {sorted(set(existing) - set(seen))}")
        eq(seen, sorted(seen, key=int, reverse=True), f"{query}: newest first")
        check(not set(arrived) & set(seen), f"{query}: those that arrived while paging come on the next reading")
        existing += arrived


# ---- a violation's evidence ----

def flagged_checkin(env, selfie=None):
    """A WFO check-in 400 m outside the office, with a roster entry and a policy in force that day."""
    p = Phone(env.svc, env.db, env.unit["id"])
    today = local_today()
    env.db.sql("INSERT INTO roster_entries (employee_id, day, unit_id, mode, start_min, end_min) "
               "VALUES (:'e', :'d', :'u', 'WFO', 450, 960)", f"e={p.employee_id}", f"d={today}",
               f"u={env.unit['id']}")
    r = p.checkin(lat=FAR[0], lon=FAR[1], accuracy=12.5, selfie=selfie)
    eq(r.status, 201, f"check-in {r}")
    flagged = {v["code"]: v["violation_id"] for v in r.json()["violations"]}
    check("OUTSIDE_GEOFENCE" in flagged, f"flagged {flagged}")
    return p, r.json()["checkin_id"], flagged["OUTSIDE_GEOFENCE"]


@test
def a_violation_comes_with_its_evidence(env):
    today = local_today()
    policies = [env.db.sql("INSERT INTO policies (name, starts_on, ends_on, applies_to, unit_id, priority, "
                           "max_wfh_percent, max_wfo_percent, selfie_required_for) "
                           "VALUES (:'n', :'a', :'b', '{administrative}', :'u', :'p', :'h', nullif(:'o', '')::int, "
                           "'{WFH}') RETURNING id", f"n=review {p}", f"a={today - datetime.timedelta(days=3)}",
                           f"b={today + datetime.timedelta(days=3)}", f"u={unit}", f"p={p}", f"h={h}", f"o={o}")[0][0]
                for p, unit, h, o in ((0, env.agency.top["id"], 50, ""), (1, env.unit["id"], 75, "100"))]
    photo = jpeg()
    p, checkin_id, vid = flagged_checkin(env, selfie=photo)
    r = get(env, f"/v1/violations/{vid}", env.reviewer)
    eq(r.status, 200, f"{r}")
    v = r.json()
    eq((v["id"], v["code"], v["status"], v["version"], v["decision"], v["decisions"]),
       (vid, "OUTSIDE_GEOFENCE", "pending", 1, None, []), "the violation, undecided")
    eq((v["employee"]["id"], v["employee"]["nip"], v["unit"]["id"], v["unit"]["category"]),
       (str(p.employee_id), p.nip, env.unit["id"], "administrative"), "whose and where")
    c = v["checkin"]
    eq((c["id"], c["type"], c["mode"], c["lat"], c["lon"], c["accuracy_m"], c["inside"], c["place"],
        c["mock_location"], c["selfie_attached"], c["local_day"]),
       (checkin_id, "in", "WFO", FAR[0], FAR[1], 12.5, False, f"office:{env.office_id}", False, True, str(today)),
       "the check-in's point and verdict")
    check(abs(c["distance_m"] - 400) < 3, f"400 m outside: {c['distance_m']}")
    check(c["captured_at"] and c["received_at"] and c["device_id"] == str(p.device_id), f"times and device {c}")
    eq(v["roster"], {"mode": "WFO", "start": "07:30", "end": "16:00"}, "that day's roster entry")
    eq(sorted(x["id"] for x in v["policy"]["in_force"]), sorted(policies), "the policies in force that day")
    eq((v["policy"]["governing"], v["policy"]["max_wfh_percent"], v["policy"]["max_wfo_percent"],
        v["policy"]["selfie_required_for"], v["policy"]["wfo_only"]),
       ([policies[1]], 75, 100, ["WFH"], False), "the priority-1 policy governs")
    eq(v["selfie_url"], f"/v1/checkins/{checkin_id}/selfie", "a reviewer gets the selfie's address")
    eq(get(env, f"/v1/violations/{vid}", env.supervisor).json()["selfie_url"], v["selfie_url"],
       "so does the unit's supervisor")
    as_admin = get(env, f"/v1/violations/{vid}", env.admin).json()
    eq((as_admin["selfie_url"], as_admin["checkin"]), (None, c), "an admin sees the evidence but not the selfie")
    for who, token in (("another unit's supervisor", env.supervisor_a),
                       ("another agency's reviewer", env.other_reviewer)):
        r = get(env, f"/v1/violations/{vid}", token)
        eq((r.status, r.error_code()), (404, "not_found"), who)
    eq(get(env, f"/v1/violations/{vid}", p.token).status, 403, "not even its own employee")
    for path in ("999999999", "abc", "0"):
        eq(get(env, f"/v1/violations/{path}", env.reviewer).status, 404, f"/v1/violations/{path}")


@test
def a_violation_without_a_check_in_has_its_evidence_and_is_decided(env):
    vid = violation(env, env.unit["id"], "ABSENT", "2023-09-05")
    v = get(env, f"/v1/violations/{vid}", env.reviewer).json()
    eq((v["code"], v["checkin"], v["selfie_url"], v["roster"], v["checkin_id"]), ("ABSENT", None, None, None, None),
       "no check-in, no selfie, no roster entry (WFO)")
    eq((v["policy"]["in_force"], v["policy"]["governing"], v["policy"]["max_wfh_percent"]), ([], [], None),
       "no policy in force on that day")
    r = decide(env, vid, env.reviewer, "dismissed", None, note="Sakit: surat dokter.\nDiterima.")
    eq((r.status, r.json()["status"], r.json()["checkin"]), (200, "dismissed", None), f"decided {r}")


@test
def a_direct_service_unit_is_wfo_only_without_a_policy(env):
    vid = violation(env, env.agency.unit_b["id"], "MODE_MISMATCH", "2019-01-07")
    policy = get(env, f"/v1/violations/{vid}", env.reviewer).json()["policy"]
    eq((policy["governing"], policy["max_wfh_percent"], policy["wfo_only"]), ([], 0, True), "WFO only")


# ---- selfies ----

@test
def a_selfie_is_served_to_reviewers_and_the_units_supervisor_only(env):
    photo = jpeg(5000)
    _, checkin_id, _ = flagged_checkin(env, selfie=photo)
    path = f"/v1/checkins/{checkin_id}/selfie"
    for who, token in (("reviewer", env.reviewer), ("the unit's supervisor", env.supervisor)):
        r = get(env, path, token)
        eq((r.status, r.body), (200, photo), f"{who}: the bytes")
        eq((r.headers["content-type"], r.headers["cache-control"], r.headers["x-content-type-options"]),
           ("image/jpeg", "no-store", "nosniff"), f"{who}: headers")
    for who, token in (("another unit's supervisor", env.supervisor_a),
                       ("another agency's reviewer", env.other_reviewer)):
        r = get(env, path, token)
        eq((r.status, r.error_code()), (404, "not_found"), who)
    for who, token in (("admin", env.admin), ("employee", env.employee)):
        eq(get(env, path, token).status, 403, who)
    picture = png(3000)
    _, png_checkin, _ = flagged_checkin(env, selfie=picture)
    r = get(env, f"/v1/checkins/{png_checkin}/selfie", env.reviewer)
    eq((r.status, r.headers["content-type"], r.body), (200, "image/png", picture), "a PNG")
    _, bare_checkin, _ = flagged_checkin(env)
    for missing in (bare_checkin, "999999999", "abc"):
        r = get(env, f"/v1/checkins/{missing}/selfie", env.reviewer)
        eq((r.status, r.error_code()), (404, "not_found"), f"no selfie: {missing}")


@test
def a_selfie_missing_or_damaged_in_the_store_is_never_served(env):
    photo = jpeg(4000)
    _, checkin_id, _ = flagged_checkin(env, selfie=photo)
    sha = hashlib.sha256(photo).hexdigest()
    stored = os.path.join(env.svc.selfie_dir, sha[:2], sha)
    with open(stored, "r+b") as f:
        f.seek(100)
        f.write(b"\x00" * 16)
    r = get(env, f"/v1/checkins/{checkin_id}/selfie", env.reviewer)
    eq((r.status, r.error_code()), (500, "internal_error"), "damaged: not the bytes the phone signed")
    os.unlink(stored)
    r = get(env, f"/v1/checkins/{checkin_id}/selfie", env.reviewer)
    eq((r.status, r.error_code()), (404, "not_found"), "missing")
    check(any("cannot be read" in rec.get("msg", "") for rec in env.svc.log_records()), "a missing selfie is logged")


# ---- decisions ----

@test
def a_decision_is_checked_before_anything_is_stored(env):
    vid = violation(env, env.unit["id"])
    cases = [
        # A sanction is decided on a discipline case, never on one flag (CONTRACT.md, "Discipline as PP 94/2021").
        ({"sanction": "teguran_lisan"}, 422, "sanction_needs_case", "sanction"),
        ({"sanction": "pemberhentian"}, 422, "sanction_needs_case", "sanction"),
        ({"sanction": "dipecat"}, 422, "sanction_needs_case", "sanction"),
        ({"decision": "dismissed", "sanction": "teguran_lisan"}, 422, "sanction_needs_case", "sanction"),
        ({"decision": "pending", "sanction": None}, 422, "invalid_value", "decision"),
        ({"decision": None}, 400, "invalid_field", "decision"),
        ({"decision": 1}, 400, "invalid_field", "decision"),
        ({"version": None}, 400, "invalid_field", "version"),
        ({"version": "1"}, 400, "invalid_field", "version"),
        ({"version": 0}, 400, "invalid_field", "version"),
        ({"version": 1.5}, 400, "invalid_field", "version"),
        ({"sanction": 3}, 400, "invalid_field", "sanction"),
        ({"note": ["x"]}, 400, "invalid_field", "note"),
        ({"note": "x" * 2001}, 422, "invalid_value", "note"),
        ({"note": "bell\u0007"}, 422, "invalid_value", "note"),
    ]
    for change, status, code, field in cases:
        body = {"decision": "confirmed", "sanction": None, "note": "n", "version": 1}
        body.update(change)
        body = {k: v for k, v in body.items() if v is not None or k in ("sanction", "note")}
        r = env.svc.request("POST", f"/v1/violations/{vid}/decision", body, token=env.reviewer)
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (status, code, field), f"{change}")
    r = env.svc.request("POST", f"/v1/violations/{vid}/decision", b"not json",
                        headers={"Content-Type": "application/json"}, token=env.reviewer)
    eq((r.status, r.error_code()), (400, "malformed_json"), "not JSON")
    eq(env.db.sql("SELECT status, version FROM violations WHERE id = :'v'", f"v={vid}"), [["pending", "1"]],
       "nothing changed")
    eq(env.db.sql("SELECT count(*) FROM violation_decisions WHERE violation_id = :'v'", f"v={vid}"), [["0"]],
       "no decision stored")


@test
def decisions_are_revised_with_every_revision_kept_and_audited(env):
    _, _, vid = flagged_checkin(env)
    r = decide(env, vid, env.reviewer, "confirmed", None, note="Di luar kantor 400 m.")
    eq(r.status, 200, f"{r}")
    v = r.json()
    eq((v["status"], v["version"], v["decision"]["decision"], v["decision"]["sanction"], v["decision"]["note"]),
       ("confirmed", 2, "confirmed", None, "Di luar kantor 400 m."), "confirmed")
    check(v["checkin"] and v["policy"] is not None, "the answer is the violation with its evidence")
    r = decide(env, vid, env.reviewer2, "dismissed", None, version=2, note="Tugas luar: surat tugas ada.")
    eq((r.status, r.json()["status"], r.json()["version"]), (200, "dismissed", 3), "revised by another reviewer")
    history = r.json()["decisions"]
    eq([(d["version"], d["decision"], d["sanction"]) for d in history],
       [(2, "confirmed", None), (3, "dismissed", None)], "both revisions kept, oldest first")
    check(history[0]["decided_by"] != history[1]["decided_by"], "each with who decided it")
    check(all(d["decided_at"] and d["decided_by_username"].startswith("reviewer-") for d in history), "and when")
    eq(get(env, f"/v1/violations/{vid}", env.supervisor).json()["decisions"], history, "the supervisor reads it")
    r = decide(env, vid, env.reviewer, version=2)
    eq((r.status, r.error_code(), r.json()["error"].get("current_version")), (409, "version_conflict", 3),
       "a decision on a version read before the last one")
    rows = env.db.sql("SELECT before->>'status', before->>'version', after->>'status', after->>'version', actor "
                      "FROM audit_log WHERE entity = 'violation' AND entity_id = :'v' AND action = 'decide' "
                      "ORDER BY id", f"v={vid}")
    eq([r[:4] for r in rows], [["pending", "1", "confirmed", "2"], ["confirmed", "2", "dismissed", "3"]],
       "each decision audited with before and after")
    for who, token, status in (("a supervisor", env.supervisor, 403), ("an admin", env.admin, 403),
                               ("an employee", env.employee, 403), ("another agency's reviewer", env.other_reviewer,
                                                                    404)):
        r = decide(env, vid, token, version=3)
        eq(r.status, status, f"{who} cannot decide")
    eq(decide(env, "999999999", env.reviewer).status, 404, "no such violation")
    eq(env.db.sql("SELECT status, version FROM violations WHERE id = :'v'", f"v={vid}"), [["dismissed", "3"]],
       "unchanged by the refused ones")


@test
def of_two_reviewers_deciding_on_the_same_version_one_wins(env):
    for _ in range(5):
        vid = violation(env, env.unit["id"])
        start = threading.Barrier(2)
        answers = {}

        def one(name, token, decision, sanction):
            start.wait()
            answers[name] = decide(env, vid, token, decision, sanction)

        threads = [threading.Thread(target=one, args=("r1", env.reviewer, "confirmed", None)),
                   threading.Thread(target=one, args=("r2", env.reviewer2, "dismissed", None))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(a.status for a in answers.values())
        eq(statuses, [200, 409], f"one wins, one conflicts: {answers}")
        winner = next(a for a in answers.values() if a.status == 200).json()
        loser = next(a for a in answers.values() if a.status == 409)
        eq(loser.error_code(), "version_conflict", "the loser's code")
        eq(env.db.sql("SELECT count(*), max(version) FROM violation_decisions WHERE violation_id = :'v'",
                      f"v={vid}"), [["1", "2"]], "one decision stored")
        eq(env.db.sql("SELECT status FROM violations WHERE id = :'v'", f"v={vid}"), [[winner["status"]]],
           "the winner's decision stands")


@test
def a_reviewer_cannot_decide_its_own_violations(env):
    p, _, vid = flagged_checkin(env)
    own = make_staff(env, "reviewer", env.agency.top["id"], employee_id=p.employee_id)
    r = decide(env, vid, own)
    eq((r.status, r.error_code()), (403, "self_approval"), "its own check-in")
    eq(get(env, f"/v1/violations/{vid}", own).status, 200, "it may still read it")
    eq(decide(env, vid, env.reviewer).status, 200, "another reviewer decides it")


# ---- the audit log's chain ----

def superuser_sql(db_url, sql):
    """Runs sql in the database of db_url as the cluster's superuser (postgres, by peer authentication)."""
    parsed = urllib.parse.urlparse(db_url)
    socket_dir = None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            # A postgres process works in its data directory, whose postmaster.pid names port and socket.
            with open(f"/proc/{pid}/cwd/postmaster.pid") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        if len(lines) > 4 and lines[3].strip() == str(parsed.port):
            socket_dir = lines[4].strip()
            break
    check(socket_dir, f"the PostgreSQL server of port {parsed.port} is not found (the tests run as root)")
    out = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                          "-h", socket_dir, "-p", str(parsed.port), "-d", parsed.path.lstrip("/")],
                         input=sql, capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, f"psql as postgres: {out.stderr}")
    return out.stdout


def audit_verify(db_url, *args):
    """Runs attendance-svc audit-verify on the database: (exit code, its report on stdout, its log)."""
    out = subprocess.run([SVC, "audit-verify"] + list(args), env=base_env(db_url), capture_output=True, text=True,
                         timeout=120)
    check_sanitizers(out.stderr, "audit-verify")
    return out.returncode, out.stdout, out.stderr


@test
def the_audit_log_shows_its_chain_and_audit_verify_walks_it(env):
    items, cursor = [], None
    while True:
        page = get(env, "/v1/audit?limit=7" + (f"&cursor={cursor}" if cursor else ""), env.admin).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    check(len(items) > 10, "entries to walk")
    eq(items[0]["prev_hash"], GENESIS, "the first entry follows the genesis")
    for before, entry in zip(items, items[1:]):
        eq(entry["prev_hash"], before["hash"], f"entry {entry['id']} names the hash of {before['id']}")
    code, report, log = audit_verify(env.db.url)
    eq(code, 0, f"audit-verify: {report} {log}")
    count = env.db.sql("SELECT count(*) FROM audit_log")[0][0]
    check(f"intact: {count} entries" in report and items[-1]["hash"] in report, f"its report: {report}")


@test
def concurrent_writers_never_fork_the_chain(env):
    # Homes: audited writes that share no lock but the chain's (units would queue on setup_generation).
    tokens = [login(env.svc, make_employee(env.db, env.unit["id"])[1], ADMIN_PASSWORD) for _ in range(8)]
    start = threading.Barrier(len(tokens))
    answers = []

    def register_homes(token):
        start.wait()
        for i in range(5):
            answers.append(env.svc.request("POST", "/v1/homes", {"lat": -6.2, "lon": 106.8, "address": f"Jl. {i}"},
                                           token=token).status)

    threads = [threading.Thread(target=register_homes, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(answers, [201] * 40, "every home registered")
    eq(env.db.sql("SELECT count(*) = count(DISTINCT prev_hash), count(*) = max(id) - min(id) + 1 FROM audit_log "
                  "WHERE id > (SELECT min(id) FROM audit_log)"), [["t", "t"]], "one successor each, ids in a row")
    code, report, log = audit_verify(env.db.url)
    eq(code, 0, report + log)


@test
def the_service_cannot_change_the_audit_log_and_a_superusers_change_is_caught(env):
    db = Database()
    try:
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, "\n".join(lines))
        eq(audit_verify(db.url)[:2], (0, "audit-verify: intact: 0 entries; head: entry 0, hash " + GENESIS + "\n"),
           "an empty chain is intact")
        for i in range(6):
            db.sql("INSERT INTO audit_log (actor, action, entity, entity_id, after) VALUES ('system', 'create', "
                   "'unit', :'i', json_build_object('code', 'U' || :'i', 'nama', 'Dinas \u00d6'))", f"i={i}")
        ids = [row[0] for row in db.sql("SELECT id FROM audit_log ORDER BY id")]
        # The service's role (the tables' owner here) may not change an entry, nor grant itself the right to.
        for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log",
                    "DELETE FROM audit_chain_head", "UPDATE audit_chain_head SET last_hash = :'g'", "INSERT INTO audit_chain_head VALUES (true, 1, :'g')",
                    "GRANT UPDATE, DELETE ON audit_log TO CURRENT_USER; UPDATE audit_log SET actor = 'x'",
                    "GRANT UPDATE, DELETE ON audit_log TO CURRENT_USER; DELETE FROM audit_log"):
            try:
                db.sql(sql, f"g={GENESIS}")
                check(False, f"{sql}: allowed")
            except RuntimeError as e:
                check(any(why in str(e) for why in ("permission denied", "append-only", "moves only")), f"{sql}: {e}")
        eq(audit_verify(db.url)[0], 0, "still intact")
        # A superuser can get past the trigger; the chain shows it.
        superuser_sql(db.url, "SET session_replication_role = replica; "
                              f"UPDATE audit_log SET after = '{{\"code\": \"U9\"}}' WHERE id = {ids[2]}")
        code, report, log = audit_verify(db.url)
        eq(code, 3, f"broken: {report}")
        check(f"BROKEN at entry {ids[2]}: its hash does not match its contents" in report,
              f"names the altered entry: {report}")
        records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        check(any(r.get("entry_id") == int(ids[2]) for r in records), f"and logs it: {log}")
        # Put back, it chains again; then take one out: the next entry no longer follows.
        superuser_sql(db.url, "SET session_replication_role = replica; UPDATE audit_log SET after = "
                              f"'{{\"code\": \"U2\", \"nama\": \"Dinas \u00d6\"}}' WHERE id = {ids[2]}")
        eq(audit_verify(db.url)[0], 0, "intact again")
        superuser_sql(db.url, f"SET session_replication_role = replica; DELETE FROM audit_log WHERE id = {ids[3]}")
        code, report, _ = audit_verify(db.url)
        eq(code, 3, "a removed entry breaks the chain")
        check(f"BROKEN at entry {ids[4]}: its prev_hash is not the hash of entry {ids[2]}" in report, report)
        superuser_sql(db.url, f"SET session_replication_role = replica; DELETE FROM audit_log WHERE id > {ids[2]}")
        code, report, _ = audit_verify(db.url)
        eq(code, 3, "entries removed from the end")
        check(f"the chain head names entry {ids[-1]}" in report, report)
    finally:
        db.drop()


@test
def the_trigger_takes_the_time_and_the_actor_not_the_callers_columns(env):
    """An INSERT that writes at, actor_account_id and actor gets the database's clock and no actor it named."""
    admin_id = env.db.sql("SELECT id FROM accounts WHERE username = 'admin'")[0][0]
    row = env.db.sql("INSERT INTO audit_log (at, actor_account_id, actor, action, entity) "
                     "VALUES ('2001-01-01', :'a', 'admin', 'forged', 'test') "
                     "RETURNING at > now() - interval '1 minute', actor_account_id IS NULL, actor", f"a={admin_id}")
    eq(row, [["t", "t", "system"]], "the time is the append's, the actor the session's (none: system)")
    # The service names its caller for the statement: an admin's change is the admin's.
    unit = env.svc.request("POST", "/v1/units", {"code": "AUD-" + secrets.token_hex(4).upper(), "name": "Audited",
                                                 "category": "administrative", "timezone": "Asia/Jakarta"},
                           token=env.admin).json()
    eq(env.db.sql("SELECT actor, actor_account_id FROM audit_log WHERE entity = 'unit' AND entity_id = :'i'",
                  f"i={unit['id']}"), [["admin", admin_id]], "the token's account")
    code, report, log = audit_verify(env.db.url)
    eq(code, 0, report + log)


@test
def a_published_head_catches_a_chain_rewritten_whole(env):
    """An owner who rewrites every hash after an entry leaves an intact chain; the head published before does not
    match it any more."""
    db = Database()
    try:
        code, lines = run_svc(["migrate"], base_env(db.url))
        eq(code, 0, "\n".join(lines))
        for i in range(4):
            db.sql("INSERT INTO audit_log (action, entity, entity_id) VALUES ('create', 'unit', :'i')", f"i={i}")
        published = db.sql("SELECT last_hash FROM audit_chain_head")[0][0]
        older = db.sql("SELECT hash FROM audit_log ORDER BY id LIMIT 1 OFFSET 1")[0][0]
        eq(audit_verify(db.url, "--head", published)[0], 0, "the head as published")
        eq(audit_verify(db.url, "--head", older)[0], 0, "an older published head is in the chain too")
        code, report, _ = audit_verify(db.url, "--head", "ab" * 32)
        check(code == 3 and "none of its entries" in report, f"a hash of no entry: {code} {report}")
        eq(audit_verify(db.url, "--head", "not-a-hash")[0], 2, "a malformed --head is bad usage")
        # A superuser rewrites entry 3 and re-chains everything after it, head included.
        superuser_sql(db.url, """
            SET session_replication_role = replica;
            DO $$
            DECLARE e audit_log; prev text;
            BEGIN
                SELECT hash INTO prev FROM audit_log ORDER BY id LIMIT 1 OFFSET 1;
                FOR e IN SELECT * FROM audit_log ORDER BY id OFFSET 2 LOOP
                    e.prev_hash := prev;
                    e.entity_id := 'rewritten';
                    prev := audit_entry_hash(e);
                    UPDATE audit_log SET prev_hash = e.prev_hash, entity_id = e.entity_id, hash = prev WHERE id = e.id;
                END LOOP;
                UPDATE audit_chain_head SET last_hash = prev;
            END $$;""")
        eq(audit_verify(db.url)[0], 0, "the rewritten chain is consistent in itself")
        code, report, _ = audit_verify(db.url, "--head", published)
        check(code == 3 and "rewritten" in report, f"the published head catches it: {code} {report}")
        eq(audit_verify(db.url, "--head", older)[0], 0, "an entry before the rewrite is still there")
    finally:
        db.drop()
