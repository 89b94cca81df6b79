-- Devices, homes, check-ins, selfies and violations.

-- One Ed25519 key per phone; an employee has at most one active device.
CREATE TABLE devices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    public_key bytea NOT NULL CHECK (length(public_key) = 32),
    label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_by bigint REFERENCES accounts (id),
    CHECK (active = (revoked_at IS NULL))
);
CREATE UNIQUE INDEX devices_one_active_idx ON devices (employee_id) WHERE active;

-- Home locations for WFH: registered by the employee, approved by the unit's
-- supervisor. Only one approved home per employee; a new approval replaces it.
CREATE TABLE homes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    address text NOT NULL CHECK (length(address) BETWEEN 1 AND 500),
    radius_m double precision NOT NULL DEFAULT 100 CHECK (radius_m BETWEEN 10 AND 5000),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'replaced')),
    created_at timestamptz NOT NULL DEFAULT now(),
    approved_at timestamptz,
    approved_by bigint REFERENCES accounts (id)
);
CREATE UNIQUE INDEX homes_one_approved_idx ON homes (employee_id) WHERE status = 'approved';
CREATE INDEX homes_employee_idx ON homes (employee_id);

-- The day's roster (the roster issue fills it; no entry means WFO). start/end
-- override the unit's hours for that person and day, in minutes after local midnight.
CREATE TABLE roster_entries (
    employee_id bigint NOT NULL REFERENCES employees (id),
    day date NOT NULL,
    unit_id bigint NOT NULL REFERENCES units (id),
    mode text NOT NULL CHECK (mode IN ('WFO', 'WFH')),
    start_min integer CHECK (start_min BETWEEN 0 AND 1439),
    end_min integer CHECK (end_min BETWEEN 1 AND 1440),
    PRIMARY KEY (employee_id, day)
);
CREATE INDEX roster_entries_unit_day_idx ON roster_entries (unit_id, day);

-- Dress-code selfies, content-addressed: the bytes live in the selfie store
-- (a directory) under their SHA-256; this row says they were stored.
CREATE TABLE selfies (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    size_bytes integer NOT NULL CHECK (size_bytes > 0),
    stored_at timestamptz NOT NULL DEFAULT now()
);

-- A check-in as signed by the phone, with what the service made of it. The
-- payload and signature are kept verbatim (evidence); a retry of the same
-- bytes is answered from this row and its violations, byte for byte.
CREATE TABLE checkins (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    unit_id bigint NOT NULL REFERENCES units (id),
    device_id bigint NOT NULL REFERENCES devices (id),
    nonce text NOT NULL,
    type text NOT NULL CHECK (type IN ('in', 'out')),
    mode text NOT NULL CHECK (mode IN ('WFO', 'WFH')),
    captured_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    local_day date NOT NULL, -- captured_at's date in the unit's time zone
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    accuracy_m double precision NOT NULL,
    mock_location boolean NOT NULL,
    inside boolean NOT NULL,
    distance_m double precision NOT NULL,
    place text,
    selfie_sha256 text REFERENCES selfies (sha256),
    payload bytea NOT NULL,
    signature bytea NOT NULL,
    UNIQUE (device_id, nonce)
);
CREATE INDEX checkins_employee_day_idx ON checkins (employee_id, local_day);
CREATE INDEX checkins_employee_captured_idx ON checkins (employee_id, captured_at DESC);
CREATE INDEX checkins_unit_day_idx ON checkins (unit_id, local_day);

-- A violation flagged at check-in (or by the nightly closure, with no check-in),
-- with the numbers that caused it. Reviewers decide it later.
CREATE TABLE violations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id bigint NOT NULL REFERENCES employees (id),
    unit_id bigint NOT NULL REFERENCES units (id),
    checkin_id bigint REFERENCES checkins (id),
    day date NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z_]{3,40}$'),
    evidence jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dismissed', 'confirmed')),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX violations_checkin_idx ON violations (checkin_id);
CREATE INDEX violations_employee_day_idx ON violations (employee_id, day);
CREATE INDEX violations_unit_status_idx ON violations (unit_id, status, id);

CREATE FUNCTION device_doc(d devices) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', d.id::text, 'employee_id', d.employee_id::text, 'label', d.label,
        'public_key', rtrim(translate(encode(d.public_key, 'base64'), '+/', '-_'), '='),
        'active', d.active, 'created_at', d.created_at, 'revoked_at', d.revoked_at)
$$;

CREATE FUNCTION home_doc(h homes) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', h.id::text, 'employee_id', h.employee_id::text, 'lat', h.lat, 'lon', h.lon,
        'address', h.address, 'radius_m', h.radius_m, 'status', h.status, 'created_at', h.created_at,
        'approved_at', h.approved_at)
$$;
