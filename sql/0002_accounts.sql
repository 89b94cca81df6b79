-- People and their logins, offices, policies, the audit log, login throttling.

-- Employees (ASN), identified by their 18-digit NIP.
CREATE TABLE employees (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nip text NOT NULL UNIQUE CHECK (nip ~ '^[0-9]{18}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    unit_id bigint NOT NULL REFERENCES units (id),
    birth_date date,
    vulnerable boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX employees_unit_idx ON employees (unit_id) WHERE active;

-- Every login: an employee's (username = NIP) or a staff member's. unit_id is
-- the supervisor's unit, the reviewer's agency (a top-level unit), or the
-- employee's unit; NULL for admins. A staff member who is also an employee is
-- linked to that employee record.
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('employee', 'supervisor', 'reviewer', 'admin')),
    unit_id bigint REFERENCES units (id),
    employee_id bigint REFERENCES employees (id),
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (role = 'admin' OR unit_id IS NOT NULL),
    CHECK (role <> 'employee' OR employee_id IS NOT NULL)
);
CREATE UNIQUE INDEX accounts_employee_login_idx ON accounts (employee_id) WHERE role = 'employee';

-- Offices of a unit, each with its geofence as the API gives it (circle or polygon).
CREATE TABLE offices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id bigint NOT NULL REFERENCES units (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    geofence jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offices_unit_idx ON offices (unit_id);

-- WFH/WFO policies (circular letters) as data; see the contract's Setup section.
CREATE TABLE policies (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    applies_to text[] NOT NULL CHECK (cardinality(applies_to) > 0 AND applies_to <@
        ARRAY['administrative', 'direct_service', 'essential', 'critical']),
    unit_id bigint REFERENCES units (id),
    priority integer NOT NULL DEFAULT 0,
    max_wfh_percent integer CHECK (max_wfh_percent BETWEEN 0 AND 100),
    max_wfo_percent integer CHECK (max_wfo_percent BETWEEN 0 AND 100),
    selfie_required_for text[] NOT NULL DEFAULT '{}' CHECK (selfie_required_for <@ ARRAY['WFH', 'WFO']),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_on <= ends_on),
    CHECK (max_wfh_percent IS NOT NULL OR max_wfo_percent IS NOT NULL)
);
CREATE INDEX policies_dates_idx ON policies (starts_on, ends_on);

-- Every change of setup, roster, device, home and decision: who, what, when, before and after.
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_account_id bigint REFERENCES accounts (id),
    actor text NOT NULL,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text,
    before jsonb,
    after jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Failed logins per key ('user:<name>' or 'addr:<ip>') in the current window.
CREATE TABLE login_failures (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    window_started timestamptz NOT NULL
);
