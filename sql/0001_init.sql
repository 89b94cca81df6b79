-- The agency's structure: units (unit kerja), nested under a top-level unit
-- that stands for the agency (instansi). Later migrations hang everything else
-- off this table.
CREATE TABLE units (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id bigint REFERENCES units (id),
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category text NOT NULL CHECK (category IN ('administrative', 'direct_service', 'essential', 'critical')),
    timezone text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_parent_idx ON units (parent_id);
