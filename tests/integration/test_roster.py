"""The roster: PUT/GET/suggest per unit and day, within the caps of the policies in force (CONTRACT.md "Roster")."""
import itertools
import secrets
import threading

from harness import Agency, admin_env, check, eq, make_employee, make_staff, test


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    return env


def teardown(env):
    env.close()


UNIT_NUMBERS = itertools.count(1)


def unit_with(env, category, headcount, parent=None, **extra):
    """A new unit under the agency (or parent) with headcount employees; returns (unit, [employee ids]).
    Its code is numbered, not random: two random codes in one agency can meet (a 409 in CI)."""
    a = env.agency
    unit = a.unit(f"{a.prefix}-U{next(UNIT_NUMBERS)}", category,
                  parent_id=(parent or a.top)["id"], **extra)
    ids = [str(make_employee(env.db, unit["id"])[0]) for _ in range(headcount)]
    return unit, ids


def policy(env, unit, starts, ends, applies_to=("administrative",), **caps):
    body = {"name": "policy " + secrets.token_hex(2), "starts_on": starts, "ends_on": ends,
            "applies_to": list(applies_to), "unit_id": unit["id"], "selfie_required_for": ["WFH"]}
    body.update(caps)
    r = env.svc.request("POST", "/v1/policies", body, token=env.agency.admin)
    eq(r.status, 201, f"policy {body}: {r}")
    return r.json()


def put(env, unit, day, wfh_ids, token=None, extra=()):
    entries = [{"employee_id": e, "mode": "WFH"} for e in wfh_ids] + list(extra)
    return env.svc.request("PUT", f"/v1/units/{unit['id']}/roster/{day}", {"entries": entries},
                           token=token or env.agency.admin)



@test
def a_roster_is_saved_within_the_cap_and_read_back(env):
    unit, ids = unit_with(env, "administrative", 7)
    policy(env, unit, "2023-08-21", "2023-10-21", max_wfh_percent=50)
    r = put(env, unit, "2023-08-28", ids[:3], extra=[{"employee_id": ids[3], "mode": "WFO", "start": "13:00",
                                                      "end": "20:00"}])
    eq(r.status, 200, f"3 of 7 WFH at 50%: {r}")
    body = r.json()
    eq((body["headcount"], body["wfh"], body["wfo"], body["caps"]["max_wfh_percent"]), (7, 3, 4, 50), "figures")
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/roster/2023-08-28", token=env.agency.admin)
    eq(r.status, 200, "read back")
    entries = {e["employee_id"]: (e["mode"], e["start"], e["end"]) for e in r.json()["entries"]}
    eq(entries, {ids[0]: ("WFH", None, None), ids[1]: ("WFH", None, None), ids[2]: ("WFH", None, None),
                 ids[3]: ("WFO", "13:00", "20:00")}, "entries")
    rows = env.db.sql("SELECT count(*) FROM audit_log WHERE entity = 'roster' AND entity_id = :'id'",
                      f"id={unit['id']}:2023-08-28")
    eq(rows, [["1"]], "the save is audited")
    # Saving again replaces the day.
    eq(put(env, unit, "2023-08-28", ids[5:6]).status, 200, "replace")
    r = env.svc.request("GET", f"/v1/units/{unit['id']}/roster/2023-08-28", token=env.agency.admin)
    eq([e["employee_id"] for e in r.json()["entries"]], ids[5:6], "replaced")


@test
def the_cap_counts_whole_people_rounded_down(env):
    for headcount, allowed in ((7, 3), (3, 1), (1, 0)):
        unit, ids = unit_with(env, "administrative", headcount)
        policy(env, unit, "2023-08-21", "2023-10-21", max_wfh_percent=50)
        if allowed:
            eq(put(env, unit, "2023-08-29", ids[:allowed]).status, 200, f"{allowed} of {headcount}")
        r = put(env, unit, "2023-08-29", ids[:allowed + 1])
        eq((r.status, r.error_code()), (422, "wfh_quota_exceeded"), f"{allowed + 1} of {headcount}")
        d = r.json()["error"]
        eq((d["cap_percent"], d["headcount"]), (50, headcount), "details")
        eq(d["requested_percent"], round((allowed + 1) * 100 / headcount, 2), "requested percent")


@test
def jakarta_2023_the_75_percent_days_outrank_the_50_percent_period(env):
    a = env.agency
    parent, _ = unit_with(env, "administrative", 0)
    unit, ids = unit_with(env, "administrative", 4, parent=parent)
    policy(env, parent, "2023-08-21", "2023-10-21", max_wfh_percent=50)                 # SE Sekda DKI 34/2023
    policy(env, parent, "2023-09-04", "2023-09-07", max_wfh_percent=75, priority=1)     # the ASEAN summit days
    eq(put(env, unit, "2023-09-05", ids[:3]).status, 200, "75% of 4 on 5 Sep, from the parent's policy")
    r = put(env, unit, "2023-09-08", ids[:3])
    eq((r.status, r.error_code()), (422, "wfh_quota_exceeded"), "back to 50% on 8 Sep")
    eq(put(env, unit, "2023-09-08", ids[:2]).status, 200, "2 of 4 on 8 Sep")
    # Among the policies of the highest priority, the lowest cap wins.
    policy(env, unit, "2023-09-11", "2023-09-11", max_wfh_percent=25)
    r = put(env, unit, "2023-09-11", ids[:2])
    eq((r.status, r.error_code()), (422, "wfh_quota_exceeded"), "25% beside 50%: 25% wins")
    eq(put(env, unit, "2023-09-11", ids[:1]).status, 200, "1 of 4")
    # A policy of another unit does not apply.
    other, _ = unit_with(env, "administrative", 1)
    policy(env, other, "2023-09-12", "2023-09-12", max_wfh_percent=0)
    eq(put(env, unit, "2023-09-12", ids[:2]).status, 200, "another unit's policy")
    check(a.admin, "admin token")


@test
def direct_services_work_from_the_office_unless_a_policy_names_them(env):
    unit, ids = unit_with(env, "direct_service", 2)
    r = put(env, unit, "2023-08-28", ids[:1])
    eq((r.status, r.error_code()), (422, "wfo_only_unit"), "no policy names direct services")
    eq(put(env, unit, "2023-08-28", []).status, 200, "all at the office")
    policy(env, unit, "2023-08-28", "2023-08-28", applies_to=("direct_service",), max_wfh_percent=50)
    eq(put(env, unit, "2023-08-28", ids[:1]).status, 200, "named by a governing policy")


@test
def malang_2021_wfo_caps_count_those_without_an_entry(env):
    essential, ids = unit_with(env, "essential", 4)
    policy(env, essential, "2021-07-03", "2021-07-20", applies_to=("essential",), max_wfo_percent=25)
    r = put(env, essential, "2021-07-05", ids[:2])
    eq((r.status, r.error_code()), (422, "wfo_quota_exceeded"), "2 at the office of 4 at 25%")
    eq(put(env, essential, "2021-07-05", ids[:3]).status, 200, "1 at the office")
    non_essential, ids = unit_with(env, "administrative", 2)
    policy(env, non_essential, "2021-07-03", "2021-07-20", max_wfo_percent=0)
    r = put(env, non_essential, "2021-07-05", ids[:1])
    eq((r.status, r.error_code()), (422, "wfo_quota_exceeded"), "non-essential: all WFH")
    eq(put(env, non_essential, "2021-07-05", ids).status, 200, "100% WFH")
    critical, ids = unit_with(env, "critical", 2)
    policy(env, critical, "2021-07-03", "2021-07-20", applies_to=("critical",), max_wfo_percent=100)
    eq(put(env, critical, "2021-07-05", []).status, 200, "critical: up to 100% WFO")


@test
def two_saves_at_once_never_exceed_the_cap_together(env):
    unit, ids = unit_with(env, "administrative", 4)
    policy(env, unit, "2023-08-21", "2023-10-21", max_wfh_percent=50)
    for round_no in range(8):
        day = f"2023-09-{11 + round_no:02d}"
        results = []
        barrier = threading.Barrier(2)

        def save(wfh):
            barrier.wait()
            results.append(put(env, unit, day, wfh).status)
        threads = [threading.Thread(target=save, args=(ids[:2],)), threading.Thread(target=save, args=(ids[2:],))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        eq(sorted(results), [200, 200], "each save is within the cap alone")
        wfh = env.db.sql("SELECT count(*) FROM roster_entries WHERE unit_id = :'u' AND day = :'d' AND mode = 'WFH'",
                         f"u={unit['id']}", f"d={day}")
        eq(wfh, [["2"]], f"one save or the other, never both ({day})")


@test
def the_suggestion_favours_the_vulnerable_the_older_then_the_fewest_wfh_days(env):
    unit, ids = unit_with(env, "administrative", 6)
    policy(env, unit, "2023-08-21", "2023-10-21", max_wfh_percent=50)
    env.db.sql("UPDATE employees SET vulnerable = true WHERE id = :'e'", f"e={ids[4]}")
    env.db.sql("UPDATE employees SET birth_date = '1970-01-01' WHERE id = :'e'", f"e={ids[5]}")
    # ids[0] and ids[1] worked from home recently; ids[2] and ids[3] did not.
    for day in ("2023-09-01", "2023-09-04"):
        eq(put(env, unit, day, ids[:2]).status, 200, "history")
    r = env.svc.request("POST", f"/v1/units/{unit['id']}/roster/2023-09-08/suggest", token=env.agency.admin)
    eq(r.status, 200, f"suggest: {r}")
    body = r.json()
    wfh = [e["employee_id"] for e in body["entries"] if e["mode"] == "WFH"]
    eq(wfh, [ids[4], ids[5], ids[2]], "vulnerable, over 50, then fewest WFH days (by id)")
    eq(len(body["entries"]), 6, "every employee")
    eq(env.db.sql("SELECT count(*) FROM roster_entries WHERE unit_id = :'u' AND day = '2023-09-08'",
                  f"u={unit['id']}"), [["0"]], "nothing saved")


@test
def entries_are_checked_and_scope_is_enforced(env):
    unit, ids = unit_with(env, "administrative", 2)
    other, other_ids = unit_with(env, "administrative", 1)
    cases = [
        ({"entries": [{"employee_id": other_ids[0], "mode": "WFH"}]}, 422, "entries[0].employee_id"),
        ({"entries": [{"employee_id": ids[0], "mode": "WFH"}, {"employee_id": ids[0], "mode": "WFO"}]}, 422,
         "entries[1].employee_id"),
        ({"entries": [{"employee_id": ids[0], "mode": "HOME"}]}, 422, "entries[0].mode"),
        ({"entries": [{"employee_id": ids[0], "mode": "WFO", "start": "25:00"}]}, 422, "entries[0].start"),
        ({"entries": [{"employee_id": ids[0], "mode": "WFO", "start": "08:00", "end": "08:00"}]}, 422,
         "entries[0].end"),
        ({"entries": "all"}, 400, "entries"),
        ({"entries": [{"mode": "WFO"}]}, 400, "entries[0].employee_id"),
    ]
    for body, status, field in cases:
        r = env.svc.request("PUT", f"/v1/units/{unit['id']}/roster/2023-09-05", body, token=env.agency.admin)
        eq(r.status, status, f"{body}: {r}")
        eq(r.json()["error"].get("field"), field, f"{body}: field")
    r = env.svc.request("PUT", f"/v1/units/{unit['id']}/roster/2023-02-30", {"entries": []}, token=env.agency.admin)
    eq(r.status, 422, "not a date")
    supervisor = make_staff(env, "supervisor", other["id"])
    eq(put(env, unit, "2023-09-05", [], token=supervisor).status, 404, "a supervisor of another unit")
    eq(env.svc.request("GET", f"/v1/units/{unit['id']}/roster/2023-09-05", token=supervisor).status, 404,
       "nor reads it")
    own = make_staff(env, "supervisor", unit["id"])
    eq(put(env, unit, "2023-09-05", ids[:1], token=own).status, 200, "the unit's supervisor")
    reviewer = make_staff(env, "reviewer", env.agency.top["id"])
    eq(env.svc.request("GET", f"/v1/units/{unit['id']}/roster/2023-09-05", token=reviewer).status, 200,
       "a reviewer of the agency reads")
    eq(put(env, unit, "2023-09-05", [], token=reviewer).status, 403, "but does not save")
