"""Offices and their geofences: creation and validation (admin), reading and listing within the caller's scope."""
import math

from harness import ADMIN_PASSWORD, Agency, admin_env, check, eq, login, test

# Jakarta's Balai Kota (city hall), Jalan Medan Merdeka Selatan.
BALAI_KOTA = (-6.1818, 106.8283)  # lat, lon


def square_ring(lat, lon, half_side_deg=0.0005):
    """A closed GeoJSON ring ([lon, lat] pairs) of a square around a point, counter-clockwise."""
    d = half_side_deg
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return ring + [ring[0]]


def round_ring(n, radius_deg=0.002):
    """An open ring of n vertices on a circle around Balai Kota."""
    lat, lon = BALAI_KOTA
    return [[lon + radius_deg * math.cos(2 * math.pi * i / n), lat + radius_deg * math.sin(2 * math.pi * i / n)]
            for i in range(n)]


def staff_token(env, username, role, unit_id):
    """A staff account made directly in the database (the admin's password hash), logged in."""
    env.db.sql("INSERT INTO accounts (username, password_hash, role, unit_id) SELECT :'u', password_hash, :'r', "
               ":'unit' FROM accounts WHERE username = 'admin'", f"u={username}", f"r={role}", f"unit={unit_id}")
    return login(env.svc, username, ADMIN_PASSWORD)


def employee_token(env, nip, unit_id):
    env.db.sql("INSERT INTO employees (nip, name, unit_id) VALUES (:'nip', 'Pegawai Uji', :'unit');"
               "INSERT INTO accounts (username, password_hash, role, unit_id, employee_id) "
               "SELECT :'nip', password_hash, 'employee', :'unit', (SELECT id FROM employees WHERE nip = :'nip') "
               "FROM accounts WHERE username = 'admin'", f"nip={nip}", f"unit={unit_id}")
    return login(env.svc, nip, ADMIN_PASSWORD)


def create(env, body):
    return env.svc.request("POST", "/v1/offices", body, token=env.agency.admin)


def created(env, body):
    r = create(env, body)
    if r.status != 201:
        raise AssertionError(f"creating office {body.get('name')}: {r}")
    return r.json()


def office_count(env):
    return int(env.db.sql("SELECT count(*) FROM offices")[0][0])


def list_ids(env, token, query=""):
    """The ids of every office the token's caller is shown, following the cursor."""
    ids, cursor = [], None
    while True:
        path = "/v1/offices?limit=2" + query + (f"&cursor={cursor}" if cursor else "")
        r = env.svc.request("GET", path, token=token)
        eq(r.status, 200, f"GET {path}")
        page = r.json()
        ids += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def setup():
    env = admin_env()
    env.agency = Agency(env.svc)
    env.other = Agency(env.svc)  # another agency, for the reviewer scope
    lat, lon = BALAI_KOTA
    unit_a = env.agency.unit_a["id"]
    env.circle_body = {"unit_id": unit_a, "name": "Balai Kota (lingkaran)",
                       "geofence": {"type": "circle", "lat": lat, "lon": lon, "radius_m": 150}}
    env.polygon_body = {"unit_id": unit_a, "name": "Balai Kota (poligon)",
                        "geofence": {"type": "polygon", "coordinates": square_ring(lat, lon)}}
    env.circle = created(env, env.circle_body)
    env.polygon = created(env, env.polygon_body)
    env.office_b = created(env, {"unit_id": env.agency.unit_b["id"], "name": "Kantor unit B",
                                 "geofence": {"type": "circle", "lat": lat + 0.01, "lon": lon, "radius_m": 200}})
    env.office_other = created(env, {"unit_id": env.other.unit_a["id"], "name": "Kantor instansi lain",
                                     "geofence": {"type": "circle", "lat": lat - 0.01, "lon": lon, "radius_m": 200}})
    return env


def teardown(env):
    env.close()


@test
def a_circle_office_is_created_and_read_back(env):
    o = env.circle
    eq(sorted(o), ["code", "created_at", "geofence", "id", "name", "unit_id"], "fields")
    check(isinstance(o["id"], str) and o["id"].isdigit(), f"id is a string: {o['id']!r}")
    eq((o["unit_id"], o["name"]), (env.agency.unit_a["id"], "Balai Kota (lingkaran)"), "unit and name")
    eq(o["geofence"], {"type": "circle", "lat": -6.1818, "lon": 106.8283, "radius_m": 150}, "geofence")
    r = env.svc.request("GET", f"/v1/offices/{o['id']}", token=env.agency.admin)
    eq((r.status, r.json()), (200, o), "read back")
    stored = env.db.sql("SELECT geofence->>'type', (geofence->>'radius_m')::float FROM offices WHERE id = :'id'",
                        f"id={o['id']}")
    eq(stored, [["circle", "150"]], "the row")


@test
def a_polygon_office_is_created_and_read_back_closed(env):
    o = env.polygon
    eq(o["geofence"], {"type": "polygon", "coordinates": env.polygon_body["geofence"]["coordinates"]},
       "the closed ring comes back as given")
    r = env.svc.request("GET", f"/v1/offices/{o['id']}", token=env.agency.admin)
    eq((r.status, r.json()), (200, o), "read back")


@test
def an_open_ring_is_accepted_and_closed(env):
    open_ring = square_ring(-6.1750, 106.8270)[:-1]
    o = created(env, {"unit_id": env.agency.unit_a["id"], "name": "Ring terbuka",
                      "geofence": {"type": "polygon", "coordinates": open_ring}})
    eq(o["geofence"]["coordinates"], open_ring + [open_ring[0]], "closed by repeating the first vertex")
    eq(env.svc.request("GET", f"/v1/offices/{o['id']}", token=env.agency.admin).json(), o, "stored closed")


@test
def the_limits_themselves_are_accepted(env):
    lat, lon = BALAI_KOTA
    for radius in (10, 5000):
        o = created(env, {"unit_id": env.agency.unit_a["id"], "name": f"radius {radius}",
                          "geofence": {"type": "circle", "lat": lat, "lon": lon, "radius_m": radius}})
        eq(o["geofence"]["radius_m"], radius, "radius kept")
    for n in (3, 1000):
        o = created(env, {"unit_id": env.agency.unit_a["id"], "name": f"{n} vertices",
                          "geofence": {"type": "polygon", "coordinates": round_ring(n)}})
        eq(len(o["geofence"]["coordinates"]), n + 1, f"{n} vertices and the closing one")


@test
def bad_offices_are_refused_and_not_stored(env):
    lat, lon = BALAI_KOTA
    unit_a = env.agency.unit_a["id"]

    def circle(**change):
        g = {"type": "circle", "lat": lat, "lon": lon, "radius_m": 100}
        g.update(change)
        return g

    def polygon(coordinates):
        return {"type": "polygon", "coordinates": coordinates}

    d = 0.0005
    bow_tie = [[lon - d, lat - d], [lon + d, lat + d], [lon + d, lat - d], [lon - d, lat + d]]
    not_a_number = square_ring(lat, lon)
    not_a_number[1] = [str(not_a_number[1][0]), not_a_number[1][1]]
    cases = [
        # (name, change to the good body, status, code, field, a word the message must hold)
        ("radius 9", {"geofence": circle(radius_m=9)}, 422, "invalid_value", "geofence", "radius_m"),
        ("radius 5001", {"geofence": circle(radius_m=5001)}, 422, "invalid_value", "geofence", "radius_m"),
        ("lat 91", {"geofence": circle(lat=91)}, 422, "invalid_value", "geofence", "lat"),
        ("lon 181", {"geofence": circle(lon=181)}, 422, "invalid_value", "geofence", "lon"),
        ("radius a string", {"geofence": circle(radius_m="100")}, 422, "invalid_value", "geofence", "radius_m"),
        ("polygon lon 181", {"geofence": polygon([[181, lat], [lon, lat + d], [lon + d, lat], [181, lat]])},
         422, "invalid_value", "geofence", "longitude"),
        ("2 vertices", {"geofence": polygon([[lon, lat], [lon + d, lat + d]])}, 422, "invalid_value", "geofence",
         "vertices"),
        ("1001 vertices", {"geofence": polygon(round_ring(1001))}, 422, "invalid_value", "geofence", "vertices"),
        ("bow-tie", {"geofence": polygon(bow_tie)}, 422, "invalid_value", "geofence", "cross"),
        ("non-number coordinate", {"geofence": polygon(not_a_number)}, 422, "invalid_value", "geofence",
         "coordinates[1]"),
        ("unknown type", {"geofence": {"type": "rectangle", "lat": lat, "lon": lon}}, 422, "invalid_value",
         "geofence", "type"),
        ("no type", {"geofence": {"lat": lat, "lon": lon, "radius_m": 100}}, 422, "invalid_value", "geofence",
         "type"),
        ("missing geofence", {"geofence": None}, 400, "invalid_field", "geofence", "geofence"),
        ("geofence a string", {"geofence": "circle"}, 400, "invalid_field", "geofence", "geofence"),
        ("unknown unit", {"unit_id": "999999999"}, 422, "invalid_value", "unit_id", "999999999"),
        ("missing unit", {"unit_id": None}, 400, "invalid_field", "unit_id", "unit_id"),
        ("unit id a number", {"unit_id": int(unit_a)}, 400, "invalid_field", "unit_id", "unit_id"),
        ("missing name", {"name": None}, 400, "invalid_field", "name", "name"),
        ("empty name", {"name": ""}, 422, "invalid_value", "name", "name"),
        ("name of 201 bytes", {"name": "x" * 201}, 422, "invalid_value", "name", "name"),
        ("name with a control character", {"name": "a\nb"}, 422, "invalid_value", "name", "name"),
    ]
    before = office_count(env)
    for name, change, status, code, field, word in cases:
        body = {"unit_id": unit_a, "name": "Kantor salah", "geofence": circle()}
        body.update(change)
        body = {k: v for k, v in body.items() if v is not None}  # None: the field is left out
        r = create(env, body)
        eq((r.status, r.error_code(), r.json()["error"].get("field")), (status, code, field), f"{name} ({r})")
        check(word in r.json()["error"]["message"], f"{name}: the message names {word!r}: {r}")
    eq(office_count(env), before, "no office stored")
    r = env.svc.request("POST", "/v1/offices", b'{"unit_id": "1", "name": "x", "geofence": {"type": "circle"',
                        headers={"Content-Type": "application/json"}, token=env.agency.admin)
    eq((r.status, r.error_code()), (400, "malformed_json"), "truncated body")


@test
def a_unit_may_have_several_offices(env):
    unit_a = env.agency.unit_a["id"]
    ids = list_ids(env, env.agency.admin, f"&unit_id={unit_a}")
    check({env.circle["id"], env.polygon["id"]} <= set(ids), f"both offices of unit A listed: {ids}")
    check(env.office_b["id"] not in ids and env.office_other["id"] not in ids, "only unit A's offices")
    eq(len(ids), len(set(ids)), "no office twice across pages")
    eq(ids, sorted(ids, key=int), "ordered by id")
    everything = list_ids(env, env.agency.admin)
    check({env.circle["id"], env.office_b["id"], env.office_other["id"]} <= set(everything), "admin sees all")
    for q in ("unit_id=abc", "unit_id=-1", "limit=0", "cursor=zz"):
        r = env.svc.request("GET", "/v1/offices?" + q, token=env.agency.admin)
        eq((r.status, r.error_code()), (400, "invalid_field"), q)
    eq(env.svc.request("GET", "/v1/offices?unit_id=999999999", token=env.agency.admin).json(),
       {"items": [], "next_cursor": None}, "an unknown unit has no offices")


@test
def unknown_offices_are_404(env):
    for path in ("/v1/offices/999999999", "/v1/offices/abc", "/v1/offices/0", "/v1/offices/01"):
        r = env.svc.request("GET", path, token=env.agency.admin)
        eq((r.status, r.error_code()), (404, "not_found"), path)


@test
def a_supervisor_sees_only_its_own_units_offices(env):
    a = env.agency
    own = staff_token(env, "spv-a", "supervisor", a.unit_a["id"])
    other = staff_token(env, "spv-b", "supervisor", a.unit_b["id"])
    eq(env.svc.request("GET", f"/v1/offices/{env.circle['id']}", token=own).json(), env.circle, "own unit")
    check(env.circle["id"] in list_ids(env, own), "own unit's office listed")
    r = env.svc.request("GET", f"/v1/offices/{env.circle['id']}", token=other)
    eq((r.status, r.error_code()), (404, "not_found"), "another unit's office")
    ids = list_ids(env, other)
    eq(ids, [env.office_b["id"]], "only unit B's office")
    eq(list_ids(env, other, f"&unit_id={a.unit_a['id']}"), [], "asking for another unit gives nothing")


@test
def a_reviewer_sees_only_its_agencys_offices(env):
    own = staff_token(env, "bkd-own", "reviewer", env.agency.top["id"])
    other = staff_token(env, "bkd-other", "reviewer", env.other.top["id"])
    ids = list_ids(env, own)
    check({env.circle["id"], env.polygon["id"], env.office_b["id"]} <= set(ids), "every unit of its agency")
    check(env.office_other["id"] not in ids, "not another agency's")
    eq(env.svc.request("GET", f"/v1/offices/{env.office_b['id']}", token=own).status, 200, "its agency's office")
    for office in (env.circle, env.polygon, env.office_b):
        r = env.svc.request("GET", f"/v1/offices/{office['id']}", token=other)
        eq((r.status, r.error_code()), (404, "not_found"), f"office {office['name']} for another agency")
    eq(list_ids(env, other), [env.office_other["id"]], "the other reviewer sees its own agency only")
    eq(list_ids(env, other, f"&unit_id={env.agency.unit_a['id']}"), [], "asking for another agency's unit")


@test
def employees_may_not_use_the_office_routes(env):
    token = employee_token(env, "199001012020121001", env.agency.unit_a["id"])
    checks = [("GET", "/v1/offices", None), ("GET", f"/v1/offices/{env.circle['id']}", None),
              ("POST", "/v1/offices", env.circle_body)]
    before = office_count(env)
    for method, path, body in checks:
        r = env.svc.request(method, path, body, token=token)
        eq((r.status, r.error_code()), (403, "forbidden"), f"{method} {path}")
    eq(office_count(env), before, "nothing created")
    supervisor = staff_token(env, "spv-create", "supervisor", env.agency.unit_a["id"])
    eq(env.svc.request("POST", "/v1/offices", env.circle_body, token=supervisor).status, 403,
       "only an admin creates offices")
    eq(env.svc.request("GET", "/v1/offices").status, 401, "no token")


@test
def every_office_created_is_audited(env):
    rows = env.db.sql("SELECT o.id, count(l.id), min(l.actor), min(l.action), min(l.after->>'name') = min(o.name),"
                      " bool_and(l.before IS NULL) FROM offices o LEFT JOIN audit_log l ON l.entity = 'office'"
                      " AND l.entity_id = o.id::text GROUP BY o.id ORDER BY o.id")
    check(len(rows) >= 4, f"the offices of setup at least: {rows}")
    for office_id, count, actor, action, same_name, no_before in rows:
        eq((count, actor, action, same_name, no_before), ("1", "admin", "create", "t", "t"), f"office {office_id}")
    after = env.db.sql("SELECT after->'geofence'->>'type', after->'geofence'->>'radius_m' FROM audit_log"
                       " WHERE entity = 'office' AND entity_id = :'id'", f"id={env.circle['id']}")
    eq(after, [["circle", "150.0"]], "the audit entry holds the office's document")
    eq(env.db.sql("SELECT count(*) FROM audit_log WHERE entity = 'office'")[0][0],
       env.db.sql("SELECT count(*) FROM offices")[0][0], "no audit entry without an office")
