-- The agency's structure: units (unit kerja). A unit without a parent stands
-- for an agency (instansi: a province, a city, a ministry); agency_id is the
-- top-level ancestor of every unit, so "everything in this agency" is one
-- indexed equality.
CREATE TABLE units (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id bigint REFERENCES units (id),
    agency_id bigint NOT NULL REFERENCES units (id),
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category text NOT NULL CHECK (category IN ('administrative', 'direct_service', 'essential', 'critical')),
    timezone text NOT NULL,
    -- {"mon": ["07:30", "16:00"], ...}: weekdays absent are days off; validated by the service.
    work_hours jsonb NOT NULL,
    grace_minutes integer NOT NULL DEFAULT 0 CHECK (grace_minutes BETWEEN 0 AND 240),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((parent_id IS NULL) = (agency_id = id))
);
CREATE INDEX units_parent_idx ON units (parent_id);
CREATE INDEX units_agency_idx ON units (agency_id);
