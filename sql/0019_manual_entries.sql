-- Attendance from where there is no phone (issue 19): paper registers and
-- fingerprint machines at the door, imported by an admin or the unit's
-- supervisor (POST /v1/checkins/import). Each record is a check-in of its own
-- with its source and the account that vouched for it, judged at its own time
-- (a person vouches, not a phone) and flagged MANUAL_ENTRY for review.

-- ---- offices have codes, as the records name them ----

ALTER TABLE offices ADD COLUMN code text CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$');
CREATE UNIQUE INDEX offices_code_idx ON offices (code);

CREATE OR REPLACE FUNCTION office_doc(o offices) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', o.id::text, 'unit_id', o.unit_id::text, 'name', o.name, 'code', o.code, 'geofence', o.geofence,
        'created_at', o.created_at)
$$;

-- ---- a check-in's source ----

-- phone: signed by the employee's device (device_id, nonce, payload and
-- signature as sent). paper, fingerprint: a record an account vouched for
-- (vouched_by); payload holds the record as imported, there is no device,
-- no signature, and its nonce names the record.
ALTER TABLE checkins ADD COLUMN source text NOT NULL DEFAULT 'phone'
    CHECK (source IN ('phone', 'paper', 'fingerprint'));
ALTER TABLE checkins ADD COLUMN vouched_by bigint REFERENCES accounts (id);
ALTER TABLE checkins ALTER COLUMN device_id DROP NOT NULL, ALTER COLUMN signature DROP NOT NULL;
ALTER TABLE checkins ADD CONSTRAINT checkins_source_fields_check
    CHECK ((source = 'phone') = (device_id IS NOT NULL AND signature IS NOT NULL AND vouched_by IS NULL));

-- A record imported twice is one check-in.
CREATE UNIQUE INDEX checkins_vouched_once_idx ON checkins (employee_id, local_day, type, judged_at)
    WHERE source <> 'phone';

-- Only a device's check-ins take a nonce.
CREATE OR REPLACE FUNCTION checkins_take_nonce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.device_id IS NULL THEN
        RETURN NEW;
    END IF;
    INSERT INTO checkin_nonces (device_id, nonce, checkin_id, local_day)
    VALUES (NEW.device_id, NEW.nonce, NEW.id, NEW.local_day)
    ON CONFLICT (device_id, nonce) DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;

-- The day's arrival and departure say where they came from (appended: the view's columns stay as they were).
CREATE OR REPLACE VIEW day_attendance AS
SELECT c.employee_id, c.local_day,
       min(c.judged_at) FILTER (WHERE c.type = 'in') AS arrival_at,
       (array_agg(c.id ORDER BY c.judged_at, c.id) FILTER (WHERE c.type = 'in'))[1] AS arrival_id,
       max(c.judged_at) FILTER (WHERE c.type = 'in') AS last_in_at,
       (array_agg(c.id ORDER BY c.judged_at DESC, c.id DESC) FILTER (WHERE c.type = 'in'))[1] AS last_in_id,
       (array_agg(c.unit_id ORDER BY c.judged_at DESC, c.id DESC) FILTER (WHERE c.type = 'in'))[1]
           AS last_in_unit_id,
       max(c.judged_at) FILTER (WHERE c.type = 'out') AS departure_at,
       (array_agg(c.id ORDER BY c.judged_at DESC, c.id DESC) FILTER (WHERE c.type = 'out'))[1] AS departure_id,
       (array_agg(c.source ORDER BY c.judged_at, c.id) FILTER (WHERE c.type = 'in'))[1] AS arrival_source,
       (array_agg(c.source ORDER BY c.judged_at DESC, c.id DESC) FILTER (WHERE c.type = 'out'))[1]
           AS departure_source
  FROM checkins c
 WHERE c.counts_for_day
 GROUP BY c.employee_id, c.local_day;
