-- The nightly job's runs (attendance-svc nightly, docs/export.md), for the
-- console's export page: one row made when a run starts and finished when it
-- ends, so a run killed half-way stays "running" with its start time. A run
-- that failed names its step: making the months ahead, closing the day,
-- writing the files, uploading them (the files were written), or removing
-- the selfies past their retention (the files were written and uploaded).
-- files: what the manifest lists, [{"name", "rows", "sha256"}], the manifest
-- last (rows null).
CREATE TABLE export_runs (
    id bigserial PRIMARY KEY,
    day date NOT NULL,
    out_dir text NOT NULL,
    upload_url text,                -- without credentials, query or fragment
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    failed_step text CHECK (failed_step IN ('partitions', 'close', 'write', 'upload', 'retention')),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    absent_flagged integer,         -- by this run's closure
    no_checkout_flagged integer,
    files jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(files) = 'array'),
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK ((status = 'failed') = (failed_step IS NOT NULL))
);
CREATE INDEX export_runs_day_idx ON export_runs (day, id);

CREATE FUNCTION export_run_doc(r export_runs) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', r.id::text, 'date', r.day, 'status', r.status, 'failed_step', r.failed_step,
                             'out_dir', r.out_dir, 'upload_url', r.upload_url, 'started_at', r.started_at,
                             'finished_at', r.finished_at,
                             'closure', CASE WHEN r.absent_flagged IS NULL THEN NULL
                                        ELSE json_build_object('absent', r.absent_flagged,
                                                               'no_checkout', r.no_checkout_flagged) END,
                             'files', r.files)
$$;
