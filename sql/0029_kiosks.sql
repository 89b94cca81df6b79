-- Proof of presence by an office's kiosk (CONTRACT.md, "Proof of presence that
-- GPS and a gallery cannot fake"; docs/security.md, "A kiosk's code"). A kiosk
-- is a screen at an office's entrance that shows, each period, a code
-- HMAC-signed with its secret (rules/presence.c). The secret is kept here
-- because the service must compute the same HMAC: whoever reads this table can
-- make any kiosk's codes (docs/security.md says what that means).

CREATE TABLE kiosks (
    id bigserial PRIMARY KEY,
    office_id bigint NOT NULL REFERENCES offices (id),
    label text NOT NULL,
    secret bytea NOT NULL CHECK (length(secret) = 32),
    period_s integer NOT NULL DEFAULT 30 CHECK (period_s BETWEEN 1 AND 3600),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint REFERENCES accounts (id),
    revoked_at timestamptz,
    revoked_by bigint REFERENCES accounts (id)
);
CREATE INDEX kiosks_office_idx ON kiosks (office_id);

-- A check-in is judged by the unit's kiosks: a kiosk made or revoked ends the cached facts (sql/0006).
CREATE TRIGGER kiosks_bump_setup_generation AFTER INSERT OR UPDATE OR DELETE ON kiosks
    FOR EACH STATEMENT EXECUTE FUNCTION setup_generation_bump();

-- The kiosk as the API shows it: never its secret.
CREATE FUNCTION kiosk_doc(k kiosks) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', k.id::text, 'kiosk_id', k.id::text, 'office_id', k.office_id::text, 'label', k.label,
        'period_s', k.period_s, 'active', k.revoked_at IS NULL, 'created_at', k.created_at,
        'revoked_at', k.revoked_at)
$$;

-- ---- a check-in proved by a kiosk's code ----

-- The kiosk whose valid code proved the check-in, and the code's window t;
-- both NULL for a check-in placed by its GPS point alone (an invalid code
-- leaves them NULL too: its PRESENCE_INVALID evidence names it).
ALTER TABLE checkins ADD COLUMN presence_kiosk_id bigint REFERENCES kiosks (id);
ALTER TABLE checkins ADD COLUMN presence_t bigint;
ALTER TABLE checkins ADD CONSTRAINT checkins_presence_check CHECK ((presence_kiosk_id IS NULL) = (presence_t IS NULL));
-- A kiosk's last use, for the console's office page.
CREATE INDEX checkins_presence_kiosk_idx ON checkins (presence_kiosk_id, received_at)
    WHERE presence_kiosk_id IS NOT NULL;

-- The day's arrival says how its place was proved (appended: the view's columns stay as they were).
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
           AS departure_source,
       (array_agg(CASE WHEN c.presence_kiosk_id IS NOT NULL THEN 'kiosk' WHEN c.source = 'phone' THEN 'gps' END
                  ORDER BY c.judged_at, c.id) FILTER (WHERE c.type = 'in'))[1] AS arrival_presence
  FROM checkins c
 WHERE c.counts_for_day
 GROUP BY c.employee_id, c.local_day;
