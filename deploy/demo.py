#!/usr/bin/env python3
"""
The demo agency, made through the API the way an agency would: units in three
time zones, offices around Jakarta's Balai Kota, employees imported from CSV,
a supervisor and a reviewer, the real policies of Jakarta 2023 and Malang 2021,
DKI's 2023 hours and its Ramadan hours, a hospital on a 24-hour rota (three
shifts and rest days); then the last working week as an agency without phones
would bring it: the paper register and the fingerprint machine at the door
imported (POST /v1/checkins/import: most on time, a few late, one absent, one
who left early), and today's morning played live with the reference phone client
(attendance-client): a clean check-in, and the ones that get flagged.

    deploy/demo.py URL ADMIN_USER ADMIN_PASSWORD CLIENT STATE_DIR

Idempotent: the agency is made once (unit DKI); a record imported again is not
stored twice; the morning is played once a day. It writes the week's days, one
a line, to STATE_DIR/week, for deploy/run to close and export.
"""
import hashlib
import datetime
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import zoneinfo

URL, ADMIN_USER, ADMIN_PASSWORD, CLIENT, STATE = sys.argv[1:6]
PASSWORD = "demo-pegawai-2026"  # the demo employees' and staff's password, each its own after the first login
GIVEN_PASSWORD = "awal-demo-2026"  # the one the admin and the import give them, which must be changed
BALAI_KOTA = (-6.1818, 106.8283)
DEWI_HOME = (-6.1950, 106.8420)


def call(method, path, body=None, token=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def must(expected, result, what):
    status, body = result
    if status not in expected:
        sys.exit(f"demo: {what} failed: {status} {body}")
    return body


def login(user, password):
    return must((200,), call("POST", "/v1/auth/login", {"username": user, "password": password}),
                f"login {user}")["access_token"]


def choose_own_password(user):
    """The first login of an account the admin made: the given password changed to the demo's (contract,
    "Passwords": a password an admin or an import set must be changed before anything else)."""
    token = login(user, GIVEN_PASSWORD)
    must((204,), call("POST", "/v1/auth/password", {"current_password": GIVEN_PASSWORD, "new_password": PASSWORD},
                      token), f"password of {user}")


# SE Sekda DKI 1/2023: 08:00-16:00 Monday to Thursday, 08:00-16:30 on Friday (not the common 07:30 week).
DKI_2023_WEEK = {"mon": ["08:00", "16:00"], "tue": ["08:00", "16:00"], "wed": ["08:00", "16:00"],
                 "thu": ["08:00", "16:00"], "fri": ["08:00", "16:30"]}
# A hospital serves round the clock (Perpres 21/2023 Art. 7): every day is a work day, its people work the
# shifts of its rota (the roster), the morning shift's hours being the unit's.
HOSPITAL_WEEK = {d: ["07:00", "14:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SHIFTS = {"pagi": ("07:00", "14:00"), "siang": ("14:00", "21:00"), "malam": ("21:00", "07:00")}

UNITS = [
    # code, name, category, timezone, parent, week (None: the common week)
    ("DKI", "Pemerintah Provinsi DKI Jakarta", "administrative", "Asia/Jakarta", None, DKI_2023_WEEK),
    ("DKI-BKD", "Badan Kepegawaian Daerah", "administrative", "Asia/Jakarta", "DKI", DKI_2023_WEEK),
    ("DKI-DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "direct_service", "Asia/Jakarta", "DKI",
     DKI_2023_WEEK),
    ("DKI-RSUD", "RSUD Tarakan", "critical", "Asia/Jakarta", "DKI", HOSPITAL_WEEK),
    ("MLG", "Pemerintah Kota Malang", "administrative", "Asia/Jakarta", None, None),
    ("MLG-SETDA", "Sekretariat Daerah Kota Malang", "administrative", "Asia/Jakarta", "MLG", None),
    ("MLG-DINKES", "Dinas Kesehatan Kota Malang", "essential", "Asia/Jakarta", "MLG", None),
    ("KALTIM", "Pemerintah Provinsi Kalimantan Timur", "administrative", "Asia/Makassar", None, None),
    ("PAPUA", "Pemerintah Provinsi Papua", "administrative", "Asia/Jayapura", None, None),
]

EMPLOYEES = [
    # nip, name, unit code
    ("198503122010012001", "Siti Rahmawati, S.Kom", "DKI-BKD"),
    ("197904252005011002", "Budi Santoso", "DKI-BKD"),
    ("199001012015031003", "Dewi Lestari", "DKI-BKD"),
    ("198811302012121004", "Agus Pratama", "DKI-BKD"),
    ("199205172019032005", "Rina Wulandari", "DKI-BKD"),
    ("198702142011011006", "Hendra Gunawan", "DKI-DUKCAPIL"),
    ("199312092020122007", "Putri Ayu", "DKI-DUKCAPIL"),
    ("198006062006041008", "dr. Yusuf Hakim", "DKI-RSUD"),
    ("199108082016022009", "Intan Permata", "MLG-DINKES"),
    ("198409092009031010", "Fajar Nugroho", "PAPUA"),
    ("199402202019032011", "Ns. Maria Ulfa", "DKI-RSUD"),
    ("198910102014031012", "Ns. Rudi Hartono", "DKI-RSUD"),
    ("199107072017012013", "Sri Wahyuni, A.Md.Keb", "DKI-RSUD"),
    # No phone enrolled by the demo: the one to try the employee's app (/app/) with, who enrols the browser.
    ("199503152020031014", "Wahyu Hidayat", "DKI-BKD"),
]
APP_EMPLOYEE = EMPLOYEES[-1]

# RSUD Tarakan's rota: who works which shift, or rests, on a day (by how many days it is from a first day).
# Each day one morning, one afternoon and one night shift, and one at rest; a night is always followed by rest.
ROTA = [("198006062006041008", ["pagi", "siang", "malam", "OFF"]),
        ("199402202019032011", ["siang", "malam", "OFF", "pagi"]),
        ("198910102014031012", ["malam", "OFF", "pagi", "siang"]),
        ("199107072017012013", ["OFF", "pagi", "siang", "malam"])]

POLICIES = [
    # SE Sekda DKI 34/2023: WFH at most 50% from 21 Aug to 21 Oct 2023, 75% on 4-7 Sep (ASEAN summit), for the
    # units without direct or operational service only; the others (Dukcapil, the hospital) stay at the office.
    {"name": "SE Sekda DKI 34/2023: WFH paling banyak 50%", "starts_on": "2023-08-21", "ends_on": "2023-10-21",
     "applies_to": ["administrative"], "unit": "DKI", "priority": 0,
     "max_wfh_percent": 50, "selfie_required_for": ["WFH"]},
    {"name": "SE Sekda DKI 34/2023: WFH 75% saat KTT ASEAN", "starts_on": "2023-09-04", "ends_on": "2023-09-07",
     "applies_to": ["administrative"], "unit": "DKI", "priority": 1,
     "max_wfh_percent": 75, "selfie_required_for": ["WFH"]},
    {"name": "SE Sekda DKI 34/2023: layanan langsung dan operasional tetap WFO", "starts_on": "2023-08-21",
     "ends_on": "2023-10-21", "applies_to": ["direct_service", "essential", "critical"], "unit": "DKI",
     "priority": 0, "max_wfh_percent": 0, "selfie_required_for": []},
    # SE Menpan-RB 17/2023: services in direct contact with the public (health among them) stay 100% WFO.
    {"name": "SE Menpan-RB 17/2023: layanan langsung dan kesehatan 100% WFO", "starts_on": "2023-08-28",
     "ends_on": "2023-09-07", "applies_to": ["direct_service", "critical"], "unit": "DKI", "priority": 0,
     "max_wfh_percent": 0, "selfie_required_for": []},
    # SE Wali Kota Malang 36/2021 (PPKM Darurat): non-essential units 100% WFH, but the unit head may call a
    # minimum in, selectively: every place may be WFH, and no WFO cap refuses the few called in.
    {"name": "SE Wali Kota Malang 36/2021: non-esensial 100% WFH (pimpinan dapat memanggil minimal pegawai)",
     "starts_on": "2021-07-03", "ends_on": "2021-07-20", "applies_to": ["administrative"], "unit": "MLG",
     "priority": 0, "max_wfh_percent": 100, "selfie_required_for": ["WFH"]},
    {"name": "SE Wali Kota Malang 36/2021: esensial WFO paling banyak 25%", "starts_on": "2021-07-03",
     "ends_on": "2021-07-20", "applies_to": ["essential"], "unit": "MLG", "priority": 0,
     "max_wfo_percent": 25, "selfie_required_for": ["WFH"]},
    {"name": "SE Wali Kota Malang 36/2021: kritikal WFO sampai 100%", "starts_on": "2021-07-03",
     "ends_on": "2021-07-20", "applies_to": ["critical"], "unit": "MLG", "priority": 0,
     "max_wfo_percent": 100, "selfie_required_for": []},
]


# National holidays and collective leave of 2023: SKB 3 Menteri No. 1066/2022, 3/2022, 3/2022, as revised in
# March and June 2023 (cuti bersama of Idul Fitri and Idul Adha).
HOLIDAYS_2023 = [
    ("2023-01-01", "Tahun Baru 2023 Masehi", "holiday"), ("2023-01-22", "Tahun Baru Imlek 2574", "holiday"),
    ("2023-01-23", "Cuti bersama Tahun Baru Imlek", "collective_leave"),
    ("2023-02-18", "Isra Mikraj Nabi Muhammad SAW", "holiday"), ("2023-03-22", "Hari Suci Nyepi", "holiday"),
    ("2023-03-23", "Cuti bersama Hari Suci Nyepi", "collective_leave"), ("2023-04-07", "Wafat Isa Almasih", "holiday"),
    ("2023-04-19", "Cuti bersama Idul Fitri", "collective_leave"),
    ("2023-04-20", "Cuti bersama Idul Fitri", "collective_leave"),
    ("2023-04-21", "Cuti bersama Idul Fitri", "collective_leave"),
    ("2023-04-22", "Idul Fitri 1444 H", "holiday"), ("2023-04-23", "Idul Fitri 1444 H", "holiday"),
    ("2023-04-24", "Cuti bersama Idul Fitri", "collective_leave"),
    ("2023-04-25", "Cuti bersama Idul Fitri", "collective_leave"),
    ("2023-05-01", "Hari Buruh Internasional", "holiday"), ("2023-05-18", "Kenaikan Isa Almasih", "holiday"),
    ("2023-06-01", "Hari Lahir Pancasila", "holiday"), ("2023-06-02", "Cuti bersama Hari Raya Waisak", "collective_leave"),
    ("2023-06-04", "Hari Raya Waisak 2567 BE", "holiday"),
    ("2023-06-28", "Cuti bersama Idul Adha", "collective_leave"), ("2023-06-29", "Idul Adha 1444 H", "holiday"),
    ("2023-06-30", "Cuti bersama Idul Adha", "collective_leave"),
    ("2023-07-19", "Tahun Baru Islam 1445 H", "holiday"), ("2023-08-17", "Hari Kemerdekaan RI", "holiday"),
    ("2023-09-28", "Maulid Nabi Muhammad SAW", "holiday"), ("2023-12-25", "Hari Raya Natal", "holiday"),
    ("2023-12-26", "Cuti bersama Hari Raya Natal", "collective_leave"),
]


# Dated hours (POST /v1/hours): Kepgub DKI 199/2023 set 07:00-14:00 in Ramadan 1444 H for the offices; the
# hospital keeps its rota.
DATED_HOURS = [
    {"name": "Kepgub DKI 199/2023: jam kerja bulan Ramadan 1444 H", "starts_on": "2023-03-23",
     "ends_on": "2023-04-20", "applies_to": ["administrative", "direct_service", "essential"], "unit": "DKI",
     "work_hours": {d: ["07:00", "14:00"] for d in ("mon", "tue", "wed", "thu", "fri")}},
]


def rota_entries(ids, offset):
    """The hospital's roster entries of the day offset days after the rota's first day."""
    entries = []
    for nip, turns in ROTA:
        turn = turns[offset % len(turns)]
        if nip not in ids:
            continue
        if turn == "OFF":
            entries.append({"employee_id": ids[nip], "mode": "OFF"})
        else:
            start, end = SHIFTS[turn]
            entries.append({"employee_id": ids[nip], "mode": "WFO", "start": start, "end": end})
    return entries


def make_calendar_and_rosters(admin, units):
    """The 2023 calendar, and rosters: a day of the ASEAN summit (75% WFH allowed) and today."""
    for day, name, kind in HOLIDAYS_2023:
        must((201, 409), call("POST", "/v1/holidays", {"date": day, "name": name, "kind": kind}, admin),
             f"holiday {day}")
    status, employees = call("GET", f"/v1/employees?unit_id={units['DKI-BKD']['id']}&limit=50", token=admin)
    ids = {e["nip"]: e["id"] for e in employees["items"]} if status == 200 else {}
    bkd = [ids[nip] for nip, _, unit in EMPLOYEES if unit == "DKI-BKD" and nip in ids]
    summit = [{"employee_id": e, "mode": "WFH"} for e in bkd[:3]]  # 3 of 5: within 75%, over 50%
    must((200,), call("PUT", f"/v1/units/{units['DKI-BKD']['id']}/roster/2023-09-05", {"entries": summit}, admin),
         "roster of 5 Sep 2023")
    # Today (in Jakarta) Dewi Lestari works from home (the morning below checks her in WFH, away from her home),
    # and Siti Rahmawati's shift begins this minute (she checks in on time, seconds later).
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta"))
    today = now.date()
    start = now.hour * 60 + now.minute
    end = min(start + 8 * 60, 24 * 60)
    shift = {"start": f"{start // 60:02d}:{start % 60:02d}", "end": f"{end // 60:02d}:{end % 60:02d}"}
    today_roster = [{"employee_id": ids[nip], "mode": mode, **extra} for nip, mode, extra in
                    ((EMPLOYEES[2][0], "WFH", {}), (EMPLOYEES[0][0], "WFO", shift)) if nip in ids]
    must((200,), call("PUT", f"/v1/units/{units['DKI-BKD']['id']}/roster/{today}", {"entries": today_roster}, admin),
         "today's roster")
    # RSUD Tarakan's rota from yesterday (whose night shift ends this morning) to a week ahead.
    status, staff = call("GET", f"/v1/employees?unit_id={units['DKI-RSUD']['id']}&limit=50", token=admin)
    rsud = {e["nip"]: e["id"] for e in staff["items"]} if status == 200 else {}
    for offset in range(-1, 8):
        day = today + datetime.timedelta(days=offset)
        must((200,), call("PUT", f"/v1/units/{units['DKI-RSUD']['id']}/roster/{day}",
                          {"entries": rota_entries(rsud, offset + 1)}, admin), f"RSUD rota of {day}")
    print(f"demo: {len(HOLIDAYS_2023)} days of the 2023 calendar; rosters of 2023-09-05 and {today}; "
          f"RSUD Tarakan's rota from {today - datetime.timedelta(days=1)}")


def make_agency():
    admin = login(ADMIN_USER, ADMIN_PASSWORD)
    status, units = call("GET", "/v1/units?limit=500", token=admin)
    existing = {u["code"]: u for u in units["items"]} if status == 200 else {}
    if "DKI" in existing:
        return admin, existing
    for code, name, category, tz, parent, week in UNITS:
        body = {"code": code, "name": name, "category": category, "timezone": tz}
        if parent:
            body["parent_id"] = existing[parent]["id"]
        if week:
            body["work_hours"] = week
        existing[code] = must((201,), call("POST", "/v1/units", body, admin), f"unit {code}")
    offices = [
        ("DKI-BKD", "Balai Kota DKI Jakarta", "BKD-BALKOT", {"type": "circle", "lat": BALAI_KOTA[0],
                                                             "lon": BALAI_KOTA[1], "radius_m": 100}),
        ("DKI-DUKCAPIL", "Kantor Dukcapil DKI", "DUKCAPIL-DKI", {"type": "polygon", "coordinates": [
            [106.8270, -6.1840], [106.8300, -6.1840], [106.8300, -6.1815], [106.8270, -6.1815]]}),
        ("DKI-RSUD", "RSUD Tarakan", "RSUD-TARAKAN", {"type": "circle", "lat": -6.1717, "lon": 106.8106,
                                                       "radius_m": 150}),
        ("MLG-DINKES", "Dinkes Kota Malang", "DINKES-MLG", {"type": "circle", "lat": -7.9666, "lon": 112.6326,
                                                            "radius_m": 100}),
        ("PAPUA", "Kantor Gubernur Papua", "GUB-PAPUA", {"type": "circle", "lat": -2.5337, "lon": 140.7181,
                                                         "radius_m": 150}),
    ]
    for unit, name, code, fence in offices:
        must((201,), call("POST", "/v1/offices", {"unit_id": existing[unit]["id"], "name": name, "code": code,
                                                  "geofence": fence}, admin), f"office {name}")
    csv = "nip,name,unit_code,password\r\n" + "".join(
        f'{nip},"{name}",{unit},{GIVEN_PASSWORD}\r\n' for nip, name, unit in EMPLOYEES)
    result = must((200,), call("POST", "/v1/employees/import", csv.encode(), admin, "text/csv"), "import")
    if result["rejected"]:
        sys.exit(f"demo: import rejected rows: {result['rejected']}")
    staff = (("supervisor.bkd", "supervisor", "DKI-BKD"), ("supervisor.dukcapil", "supervisor", "DKI-DUKCAPIL"),
             ("supervisor.rsud", "supervisor", "DKI-RSUD"), ("reviewer.dki", "reviewer", "DKI"),
             ("reviewer.malang", "reviewer", "MLG"))
    for username, role, unit in staff:
        must((201,), call("POST", "/v1/staff", {"username": username, "password": GIVEN_PASSWORD, "role": role,
                                                 "unit_id": existing[unit]["id"]}, admin), f"staff {username}")
    for user in [s[0] for s in staff] + [e[0] for e in EMPLOYEES]:
        choose_own_password(user)
    today = datetime.date.today()
    demo_policy = {"name": "Demo: swafoto pakaian dinas wajib untuk WFH", "applies_to": ["administrative"],
                   "unit": "DKI", "priority": 0, "max_wfh_percent": 50,
        "selfie_required_for": ["WFH"], "starts_on": str(today - datetime.timedelta(days=30)),
        "ends_on": str(today + datetime.timedelta(days=365))}
    for p in POLICIES + [demo_policy]:
        body = {k: v for k, v in p.items() if k != "unit"}
        body["unit_id"] = existing[p["unit"]]["id"]
        must((201,), call("POST", "/v1/policies", body, admin), f"policy {p['name']}")
    for h in DATED_HOURS:
        body = {k: v for k, v in h.items() if k != "unit"}
        body["unit_id"] = existing[h["unit"]]["id"]
        must((201,), call("POST", "/v1/hours", body, admin), f"hours {h['name']}")
    print(f"demo: agency made: {len(UNITS)} units, {len(offices)} offices, {len(EMPLOYEES)} employees, "
          f"{len(POLICIES) + 1} policies, {len(DATED_HOURS)} dated hours")
    return admin, existing


def last_working_week(today):
    """The five working days (Monday to Friday) before today."""
    days, d = [], today
    while len(days) < 5:
        d -= datetime.timedelta(days=1)
        if d.weekday() < 5:
            days.append(d)
    return sorted(days)


def minute_of(nip, day, kind, spread):
    """A minute from 0 to spread - 1 that varies with the person and the day, the same on every run."""
    return int(hashlib.sha256(f"{nip}{day}{kind}".encode()).hexdigest()[:8], 16) % spread


def import_week(admin):
    """The last working week from the paper registers and the fingerprint machines at the offices' doors: most on
    time, Budi late twice, Dewi absent mid-week, Agus gone early on the last day. Each record is judged at its own
    time and flagged MANUAL_ENTRY for review; deploy/run then closes the days (ABSENT) and exports the last."""
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date()
    week = last_working_week(today)
    # unit: the office at its door, the source, the offset of its zone (WIB, WIT)
    doors = {"DKI-BKD": ("BKD-BALKOT", "paper", "+07:00"), "DKI-DUKCAPIL": ("DUKCAPIL-DKI", "fingerprint", "+07:00"),
             "DKI-RSUD": ("RSUD-TARAKAN", "fingerprint", "+07:00"), "MLG-DINKES": ("DINKES-MLG", "paper", "+07:00"),
             "PAPUA": ("GUB-PAPUA", "paper", "+09:00")}
    rows = []
    for i, day in enumerate(week):
        for nip, name, unit in EMPLOYEES:
            if unit not in doors or (nip == EMPLOYEES[2][0] and i == 2):  # Dewi absent mid-week
                continue
            if nip == EMPLOYEES[6][0] and i in (0, 1, 3):  # Putri absent three days: past the 3-day threshold
                continue
            office, source, offset = doors[unit]
            end = 16 * 60 + (30 if day.weekday() == 4 else 0)            # the DKI week: Friday until 16:30
            arrive = 7 * 60 + 5 + minute_of(nip, day, "in", 24)           # 07:05 to 07:28
            leave = end + 2 + minute_of(nip, day, "out", 30)
            if nip == EMPLOYEES[1][0] and i in (1, 3):                     # Budi late on Tuesday and Thursday
                arrive = 8 * 60 + 10 + minute_of(nip, day, "late", 30)
            if nip == EMPLOYEES[3][0] and i == 4:                          # Agus leaves at three on the last day
                leave = 15 * 60 + minute_of(nip, day, "early", 10)
            for kind, minutes in (("in", arrive), ("out", leave)):
                rows.append(f"{nip},{kind},{day}T{minutes // 60:02d}:{minutes % 60:02d}:00{offset},{office},{source}")
    text = "nip,type,time,office_code,source\n" + "\n".join(rows) + "\n"
    result = must((200,), call("POST", "/v1/checkins/import", text.encode(), admin, "text/csv"), "the week's records")
    if result["rejected"]:
        print(f"demo: records not imported: {result['rejected'][:3]} (an agency made before offices had codes?)")
    with open(os.path.join(STATE, "week"), "w") as f:
        f.write("".join(f"{d}\n" for d in week))
    print(f"demo: the working week {week[0]} to {week[-1]} from the registers and the fingerprint machines: "
          f"{result['created']} records, {result['duplicates']} there already")


def approve_dewis_home():
    """Dewi works from home today: her home, registered by her and approved by her supervisor, once."""
    mine = login(EMPLOYEES[2][0], PASSWORD)
    homes = must((200,), call("GET", "/v1/homes?status=approved", token=mine), "Dewi's homes")
    if homes["items"]:
        return
    home = must((201,), call("POST", "/v1/homes", {"lat": DEWI_HOME[0], "lon": DEWI_HOME[1],
                                                   "address": "Jl. Cikini Raya 12, Menteng"}, mine), "Dewi's home")
    must((200,), call("POST", f"/v1/homes/{home['home_id']}/approve", token=login("supervisor.bkd", PASSWORD)),
         "approving Dewi's home")


def client(state, *args):
    out = subprocess.run([CLIENT, "--url", URL, "--state", state] + list(args), capture_output=True, text=True,
                         timeout=120)
    return out.returncode, (out.stdout + out.stderr).strip()


def play_morning():
    marker = os.path.join(STATE, "morning-" + datetime.date.today().isoformat())
    if os.path.exists(marker):
        return
    near = (BALAI_KOTA[0] + 0.0003, BALAI_KOTA[1])   # about 33 m from the centre: inside
    far = (BALAI_KOTA[0] + 0.0060, BALAI_KOTA[1])    # about 670 m: outside
    home = (DEWI_HOME[0] + 0.0150, DEWI_HOME[1])      # about 1.7 km from her approved home: outside it
    selfie = os.path.join(STATE, "pakaian-dinas.jpg")
    with open(selfie, "wb") as f:
        f.write(b"\xff\xd8\xff\xe0" + os.urandom(20000))  # a JPEG by its magic bytes
    # nip, check-in arguments. Siti, on a shift that begins this minute (the roster, above), checks in inside
    # the office with her dress-code selfie: a clean check-in, whatever the hour the demo is played. Hendra
    # attaches the same photo: SELFIE_REUSED.
    morning = [
        (EMPLOYEES[0][0], ["--type", "in", "--mode", "WFO", "--lat", near[0], "--lon", near[1], "--accuracy", 8,
                           "--selfie", selfie]),
        (EMPLOYEES[1][0], ["--type", "in", "--mode", "WFO", "--lat", far[0], "--lon", far[1], "--accuracy", 12]),
        (EMPLOYEES[2][0], ["--type", "in", "--mode", "WFH", "--lat", home[0], "--lon", home[1], "--accuracy", 10]),
        (EMPLOYEES[3][0], ["--type", "in", "--mode", "WFO", "--lat", near[0], "--lon", near[1], "--accuracy", 9,
                           "--mock"]),
        (EMPLOYEES[4][0], ["--type", "in", "--mode", "WFO", "--lat", near[0], "--lon", near[1], "--accuracy", 240]),
        (EMPLOYEES[5][0], ["--type", "in", "--mode", "WFO", "--lat", -6.1828, "--lon", 106.8285, "--accuracy", 6,
                           "--selfie", selfie]),
        (EMPLOYEES[9][0], ["--type", "in", "--mode", "WFO", "--lat", -2.5337, "--lon", 140.7181, "--accuracy", 7]),
        # At the hospital: the night shift of yesterday checks out (its day is yesterday's), a nurse checks in.
        (EMPLOYEES[11][0], ["--type", "out", "--mode", "WFO", "--lat", -6.1717, "--lon", 106.8106, "--accuracy", 6]),
        (EMPLOYEES[12][0], ["--type", "in", "--mode", "WFO", "--lat", -6.1718, "--lon", 106.8107, "--accuracy", 5]),
    ]
    for nip, args in morning:
        state = os.path.join(STATE, "phones", nip)
        os.makedirs(state, mode=0o700, exist_ok=True)
        if not os.path.exists(os.path.join(state, "device.key")):
            for step in (("login", nip, PASSWORD), ("enrol", "--label", "HP demo")):
                code, out = client(state, *step)
                if code != 0:
                    print(f"demo: {nip} {step[0]}: {out}")
                    break
        code, out = client(state, "checkin", *[str(a) for a in args])
        print(f"demo: {nip}: {out}")
    open(marker, "w").close()


def working_day(start, step):
    """The first Monday-to-Friday day from start (included) going by step days."""
    while start.weekday() >= 5:
        start += datetime.timedelta(days=step)
    return start


def ask_leave(nip, kind, first, last, reason, **extra):
    token = login(nip, PASSWORD)
    body = {"kind": kind, "from": str(first), "to": str(last), "reason": reason}
    body.update(extra)
    return token, must((201,), call("POST", "/v1/leave", body, token), f"leave {kind} of {nip}")


def decide_leave(supervisor, leave, decision):
    token = login(supervisor, PASSWORD)
    return must((200,), call("POST", f"/v1/leave/{leave['id']}/decision",
                             {"decision": decision, "note": None, "version": leave["version"]}, token),
                f"{decision} leave {leave['id']}")


def seed_leave():
    """Leave of each kind (CONTRACT.md, "Leave and permission"), some decided; the sick leave of the last
    working day and an izin for this morning wait for the supervisor until after the nightly has closed that day
    (seed_leave_after_closure)."""
    marker = os.path.join(STATE, "leave-seeded")
    if os.path.exists(marker):
        return
    today = datetime.date.today()
    next_monday = today + datetime.timedelta(days=7 - today.weekday())
    absent_day = last_working_week(datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date())[2]
    token, sick = ask_leave(EMPLOYEES[2][0], "cuti_sakit", absent_day, absent_day, "Demam tinggi")  # Dewi's absence
    must((200,), call("PUT", f"/v1/leave/{sick['id']}/attachment", b"%PDF-1.4\n% surat keterangan dokter\n%%EOF\n",
                      token, "application/pdf"), "the doctor's letter")
    # This morning Rina came late: an izin for the morning, asked afterwards, excuses that LATE_ARRIVAL.
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta"))
    until = "24:00" if now.hour >= 23 else f"{now.hour + 1:02d}:{now.minute:02d}"
    _, permission = ask_leave(EMPLOYEES[4][0], "izin", now.date(), now.date(), "Kontrol ke dokter pagi ini",
                              start="07:00" if now.hour >= 7 else "00:00", end=until)
    with open(os.path.join(STATE, "leave-after-closure"), "w") as f:
        f.write(f"{sick['id']}\n{permission['id']}\n")
    _, annual = ask_leave(EMPLOYEES[1][0], "cuti_tahunan", next_monday, next_monday + datetime.timedelta(days=2),
                          "Pulang kampung")
    decide_leave("supervisor.bkd", annual, "approved")
    ask_leave(EMPLOYEES[4][0], "cuti_melahirkan", next_monday + datetime.timedelta(days=28),
              next_monday + datetime.timedelta(days=28 + 89), "Persalinan anak kedua")
    ask_leave(EMPLOYEES[3][0], "cuti_besar", next_monday + datetime.timedelta(days=14),
              next_monday + datetime.timedelta(days=14 + 30), "Ibadah haji")
    _, important = ask_leave(EMPLOYEES[2][0], "cuti_alasan_penting", next_monday, next_monday + datetime.timedelta(days=1),
                             "Orang tua sakit keras")
    decide_leave("supervisor.bkd", important, "rejected")
    duty_day = working_day(today, 1)
    _, duty = ask_leave(EMPLOYEES[5][0], "dinas_luar", duty_day, duty_day, "Rapat koordinasi di Kemendagri")
    decide_leave("supervisor.dukcapil", duty, "approved")
    _, permission = ask_leave(EMPLOYEES[6][0], "izin", duty_day, duty_day, "Mengantar anak ke dokter",
                              start="07:30", end="10:00")
    decide_leave("supervisor.dukcapil", permission, "approved")
    ask_leave(EMPLOYEES[9][0], "cuti_luar_tanggungan", next_monday + datetime.timedelta(days=60),
              next_monday + datetime.timedelta(days=60 + 364), "Mendampingi suami tugas belajar")
    print("demo: leave of each kind asked (Dewi's cuti_sakit and Rina's izin wait for the supervisor until after the "
          "nightly)")
    open(marker, "w").close()


def seed_leave_after_closure():
    """After the nightly closed the day: the sick leave and this morning's izin approved, and the flags they
    excuse (the closed day's ABSENT, the morning's LATE_ARRIVAL) dismissed by the service."""
    path = os.path.join(STATE, "leave-after-closure")
    if not os.path.exists(path):
        return
    with open(path) as f:
        leave_ids = f.read().split()
    token = login("supervisor.bkd", PASSWORD)
    for leave_id in leave_ids:
        leave = must((200,), call("GET", f"/v1/leave/{leave_id}", token=token), f"leave {leave_id}")
        if leave["status"] == "pending":
            decided = decide_leave("supervisor.bkd", leave, "approved")
            print(f"demo: {leave['kind']} {leave_id} approved after the flags: {decided['flags_dismissed']} flag(s) "
                  f"dismissed by the service")


def seed_case():
    """Putri Ayu's three absences of the imported week confirmed by BKD (no valid reason), and her direct superior
    summons her and records the examination (PP 94/2021 Art. 26): the case waits for the reviewer's decision."""
    marker = os.path.join(STATE, "case-seeded")
    if os.path.exists(marker):
        return
    admin = login(ADMIN_USER, ADMIN_PASSWORD)
    people = must((200,), call("GET", "/v1/employees?limit=100", token=admin), "employees")["items"]
    putri = next(e for e in people if e["nip"] == EMPLOYEES[6][0])
    reviewer = login("reviewer.dki", PASSWORD)
    flagged = must((200,), call("GET", f"/v1/violations?status=pending&code=ABSENT&unit_id={putri['unit_id']}&limit=50",
                                token=reviewer), "Putri's absences")["items"]
    ids = []
    for v in (v for v in flagged if v["employee_id"] == putri["id"]):
        must((200,), call("POST", f"/v1/violations/{v['id']}/decision", {"decision": "confirmed", "sanction": None,
                          "note": "Tidak ada keterangan sah.", "version": v["version"]}, reviewer), "confirming")
        ids.append(v["id"])
    if len(ids) < 3:
        print(f"demo: Putri Ayu has {len(ids)} absences to judge; no case")
        return
    supervisor = login("supervisor.dukcapil", PASSWORD)
    summons = (datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")) + datetime.timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0)
    case = must((201,), call("POST", "/v1/discipline/cases", {"employee_id": putri["id"], "violation_ids": ids,
                                                              "summoned_for": summons.isoformat()}, supervisor), "the case")
    case_id = case.get("case_id") or case.get("id")
    must((200,), call("POST", f"/v1/discipline/cases/{case_id}/examination", {
        "record": "BAP: hadir; tidak dapat menunjukkan alasan sah atas tiga hari tidak masuk kerja."}, supervisor),
        "the examination")
    print(f"demo: discipline case {case_id} of Putri Ayu ({len(ids)} days, suggested {case.get('suggested_sanction')})"
          " examined; reviewer.dki decides it in the console")
    open(marker, "w").close()


def main():
    os.makedirs(STATE, mode=0o700, exist_ok=True)
    if sys.argv[6:] == ["--after-closure"]:
        seed_leave_after_closure()
        seed_case()
        return
    admin, units = make_agency()
    make_calendar_and_rosters(admin, units)
    import_week(admin)
    approve_dewis_home()
    play_morning()
    seed_leave()
    print(f"demo: staff logins (password {PASSWORD}): supervisor.bkd, supervisor.dukcapil, supervisor.rsud, reviewer.dki, "
          f"reviewer.malang; employees log in with their NIP, e.g. {EMPLOYEES[0][0]}")
    print(f"demo: the employee's app at /app/: sign in as {APP_EMPLOYEE[0]} ({APP_EMPLOYEE[1]}, no device yet), password "
          f"{PASSWORD}")


if __name__ == "__main__":
    main()
