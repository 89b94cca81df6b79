"""Discipline cases (CONTRACT.md, "Discipline as PP 94/2021 runs it"; issue 23): summoned by the direct superior on
the employee's confirmed violations, examined, the employee's statement, decided by a reviewer; every step audited."""
import csv
import datetime
import os
import shutil
import subprocess
import tempfile
import zoneinfo

from harness import (ADMIN_PASSWORD, SVC, Agency, admin_env, base_env, check, check_sanitizers, eq, login,
                     make_employee, make_staff, run_svc, test)


def setup():
    env = admin_env()
    a = env.agency = Agency(env.svc)
    env.supervisor = make_staff(env, "supervisor", a.unit_a["id"])
    env.sibling = make_staff(env, "supervisor", a.unit_b["id"])
    env.reviewer = make_staff(env, "reviewer", a.top["id"])
    return env


def teardown(env):
    env.close()


def employee(env):
    emp_id, nip = make_employee(env.db, env.agency.unit_a["id"])
    return {"id": str(emp_id), "token": login(env.svc, nip, ADMIN_PASSWORD)}


def absences(env, who, days, status="confirmed"):
    return [env.db.sql("INSERT INTO violations (employee_id, unit_id, day, code, status) VALUES (:'e', :'u', :'d',"
                       " 'ABSENT', :'s') RETURNING id", f"e={who['id']}", f"u={env.agency.unit_a['id']}", f"d={d}",
                       f"s={status}")[0][0] for d in days]


def open_case(env, who, ids, token=None):
    return env.svc.request("POST", "/v1/discipline/cases", {"employee_id": who["id"], "violation_ids": ids,
                                                             "summoned_for": "2023-10-20T09:00:00+07:00"},
                           token=token or env.supervisor)


@test
def a_case_goes_from_summons_to_decision(env):
    siti = employee(env)
    ids = absences(env, siti, ["2023-10-02", "2023-10-03", "2023-10-04", "2023-10-05"])
    r = open_case(env, siti, ids)
    eq(r.status, 201, str(r))
    case = r.json()
    eq((case["status"], case["suggested_sanction"], len(case["violations"])), ("summoned", "teguran_tertulis", 4))
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/decision",
                        {"sanction": "teguran_tertulis", "reason": None, "version": case["version"]}, token=env.reviewer)
    eq((r.status, r.error_code()), (409, "not_examined"), "not examined yet")
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/examination", {"record": "BAP: hadir, mengaku."},
                        token=env.sibling)
    eq(r.status, 404, "the sibling unit's supervisor")
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/examination", {"record": "BAP: hadir, mengaku."},
                        token=env.supervisor)
    eq((r.status, r.json()["status"]), (200, "examined"), str(r))
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/statement", {"text": "Anak saya dirawat."},
                        token=siti["token"])
    eq((r.status, r.json()["statement"]["text"]), (200, "Anak saya dirawat."), str(r))
    case = r.json()
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/decision",
                        {"sanction": "pernyataan_tidak_puas", "version": case["version"]}, token=env.reviewer)
    eq((r.status, r.error_code()), (422, "reason_required"), "heavier than suggested without a reason")
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/decision",
                        {"sanction": "teguran_tertulis", "reason": None, "version": case["version"] - 1},
                        token=env.reviewer)
    eq((r.status, r.error_code()), (409, "version_conflict"), str(r))
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/decision",
                        {"sanction": "teguran_tertulis", "reason": None, "version": case["version"]}, token=env.reviewer)
    eq((r.status, r.json()["status"], r.json()["decision"]["sanction"]), (200, "decided", "teguran_tertulis"), str(r))
    r = env.svc.request("GET", f"/v1/discipline/cases/{case['id']}", token=siti["token"])
    eq((r.status, r.json()["examination"]["record"]), (200, "BAP: hadir, mengaku."), "the employee reads its case")
    r = env.svc.request("GET", "/v1/discipline/cases?status=decided&year=2023", token=env.supervisor)
    check(case["id"] in [c["id"] for c in r.json()["items"]], str(r))
    r = env.svc.request("GET", "/v1/discipline/cases", token=env.sibling)
    check(case["id"] not in [c["id"] for c in r.json()["items"]], "the sibling unit's supervisor sees none")
    actions = [a for a, in env.db.sql("SELECT action FROM audit_log WHERE entity = 'discipline_case'"
                                      " AND entity_id = :'c' ORDER BY id", f"c={case['id']}")]
    eq(actions, ["summon", "examine", "state", "decide"], "every step audited")

    # The nightly export of the day it was decided lists it in cases_D.csv, signed in the manifest like the others.
    work = tempfile.mkdtemp(prefix="cases-")
    try:
        key = os.path.join(work, "export.key")
        out = subprocess.run([SVC, "export-keygen", "--out", key], env=base_env(env.db.url), capture_output=True,
                             text=True, timeout=60)
        check_sanitizers(out.stderr, "export-keygen")
        day = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date().isoformat()
        code, lines = run_svc(["nightly", "--date", day, "--out", work],
                              base_env(env.db.url, ATTENDANCE_EXPORT_KEY_FILE=key), timeout=120)
        eq(code, 0, f"nightly: {lines[-3:]}")
        with open(os.path.join(work, f"cases_{day}.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        mine = [r for r in rows if r["case_id"] == case["id"]]
        eq([(r["sanction"], r["suggested_sanction"], r["violation_ids"]) for r in mine],
           [("teguran_tertulis", "teguran_tertulis", ";".join(sorted(ids, key=int)))], f"the case in cases_D.csv: {rows}")
        with open(os.path.join(work, f"manifest_{day}.json")) as f:
            check(f'cases_{day}.csv' in f.read(), "named in the manifest")
    finally:
        shutil.rmtree(work, ignore_errors=True)


@test
def only_the_employees_confirmed_violations_make_a_case(env):
    siti, budi = employee(env), employee(env)
    confirmed = absences(env, siti, ["2023-11-01"])
    pending = absences(env, siti, ["2023-11-02"], status="pending")
    budis = absences(env, budi, ["2023-11-01"])
    for ids, what in ((pending, "a pending flag"), (budis, "another employee's"), ([], "none"),
                      (["999999999"], "no such violation")):
        r = open_case(env, siti, ids)
        eq((r.status, r.error_code()), (422, "invalid_value"), what)
    eq(open_case(env, siti, confirmed).status, 201, "a confirmed one")
    r = open_case(env, siti, confirmed)
    eq((r.status, r.error_code()), (422, "invalid_value"), "a violation in a case already")
    eq(open_case(env, siti, confirmed, token=env.sibling).status, 404, "not the direct superior")
    r = env.svc.request("POST", f"/v1/violations/{confirmed[0]}/decision",
                        {"decision": "confirmed", "sanction": "teguran_lisan", "version": 1}, token=env.reviewer)
    eq((r.status, r.error_code()), (422, "sanction_needs_case"), "no sanction on one flag")


def examined(env, case):
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/examination", {"record": "BAP: hadir, mengaku."},
                        token=env.supervisor)
    eq(r.status, 200, str(r))
    return r.json()


@test
def absences_either_side_of_31_august_2021_are_judged_each_by_its_own_ladder(env):
    """PP 53/2010 judges July 2021, PP 94/2021 September 2021 (docs/discipline.md): 16 days in July (PP 53/2010:
    penundaan kenaikan gaji berkala, sedang) and 3 in September (PP 94/2021: teguran lisan) are not added up into PP
    94/2021's 19 (tukin cut 12 months), and July's run of 13 work days is no dismissal under PP 94/2021."""
    ani = employee(env)
    july = absences(env, ani, [f"2021-07-{d:02d}" for d in (1, 2, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 19, 21, 22, 23)])
    september = absences(env, ani, ["2021-09-06", "2021-09-08", "2021-09-10"])
    r = env.svc.request("GET", f"/v1/employees/{ani['id']}/discipline?year=2021", token=env.supervisor)
    eq(r.status, 200, str(r))
    d = r.json()
    eq((d["confirmed_days"], d["total_days"], d["suggested_sanction"], d["suggested"]["regulation"],
        d["unjudged_days"]), (19, 19, "penundaan_kgb_1_tahun", "PP 53/2010", 0), str(d))
    eq([(g["regulation"], g["from"], g["to"], g["confirmed_days"], g["longest_absent_run"],
         g["suggested"] and g["suggested"]["sanction"]) for g in d["regulations"]],
       [("PP 53/2010", "2021-01-01", "2021-08-30", 16, 13, "penundaan_kgb_1_tahun"),
        ("PP 94/2021", "2021-08-31", "2021-12-31", 3, 1, "teguran_lisan")], "each under its own ladder")
    eq(sorted({(t["regulation"], t["in_force_to"]) for t in d["thresholds"]}),
       [("PP 53/2010", "2021-08-30"), ("PP 94/2021", None)], "the thresholds of both ladders in force in 2021")
    r = env.svc.request("GET", "/v1/me/discipline?year=2021", token=ani["token"])
    eq((r.status, r.json()["suggested_sanction"], len(r.json()["regulations"])), (200, "penundaan_kgb_1_tahun", 2),
       "the employee reads the same")

    # A case about September's absences is PP 94/2021's: PP 53/2010's own sanction is not its to take.
    r = open_case(env, ani, september)
    eq((r.status, r.json()["suggested_sanction"]), (201, "teguran_lisan"), str(r))
    case = examined(env, r.json())
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/decision",
                        {"sanction": "penundaan_kgb_1_tahun", "reason": "16 hari di bulan Juli",
                         "version": case["version"]}, token=env.reviewer)
    eq((r.status, r.error_code()), (422, "invalid_value"), "a sanction of PP 53/2010 on absences of PP 94/2021")

    # A case about July's absences is PP 53/2010's, decided with its suggested sanction.
    r = open_case(env, ani, july)
    eq((r.status, r.json()["suggested_sanction"]), (201, "penundaan_kgb_1_tahun"), str(r))
    case = examined(env, r.json())
    r = env.svc.request("POST", f"/v1/discipline/cases/{case['id']}/decision",
                        {"sanction": "penundaan_kgb_1_tahun", "reason": None, "version": case["version"]},
                        token=env.reviewer)
    eq((r.status, r.json()["decision"]["sanction"]), (200, "penundaan_kgb_1_tahun"), str(r))


@test
def an_absence_on_30_august_2021_is_pp53s_on_31_august_pp94s(env):
    """The day before PP 94/2021 is PP 53/2010's, whose ladder starts at 5 days: three days to 30 August suggest
    nothing, the same three from 31 August suggest PP 94/2021's teguran lisan."""
    before, after = employee(env), employee(env)
    absences(env, before, ["2021-08-26", "2021-08-27", "2021-08-30"])
    absences(env, after, ["2021-08-31", "2021-09-01", "2021-09-02"])
    d = env.svc.request("GET", f"/v1/employees/{before['id']}/discipline?year=2021", token=env.supervisor).json()
    eq((d["confirmed_days"], d["suggested_sanction"], [g["confirmed_days"] for g in d["regulations"]]),
       (3, None, [3, 0]), str(d))
    d = env.svc.request("GET", f"/v1/employees/{after['id']}/discipline?year=2021", token=env.supervisor).json()
    eq((d["confirmed_days"], d["suggested_sanction"], [g["confirmed_days"] for g in d["regulations"]]),
       (3, "teguran_lisan", [0, 3]), str(d))
