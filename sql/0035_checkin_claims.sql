-- Two check-ins of one employee judged at the same moment on the same history
-- (its latest check-in, the day's arrival) could both be stored: each guard of
-- checkin_insert read before the other's row was committed, so neither was
-- judged after the other (two check-ins at one instant from places 720 m apart
-- were stored without IMPOSSIBLE_TRAVEL; tests/integration/test_checkin_cache.py).
--
-- Each phone check-in now claims a number: its employee's highest number, as
-- the check-in was judged with it, plus one (checkins.employee_seq). The claim
-- is kept with the nonce in checkin_nonces, a plain table (a unique index on
-- the partitioned checkins would hold within a month only), and a unique index
-- lets each number be claimed once: a second check-in judged on the same
-- history waits for the first to commit and then fails with a unique violation
-- on checkin_nonces_employee_seq_idx, and the service judges it again, after
-- the first. Records vouched for (no device) claim nothing. Check-ins stored
-- before this migration have no number: an employee's first claim is 1.

ALTER TABLE checkins ADD COLUMN employee_seq bigint CHECK (employee_seq > 0);
ALTER TABLE checkin_nonces ADD COLUMN employee_id bigint, ADD COLUMN employee_seq bigint;
CREATE UNIQUE INDEX checkin_nonces_employee_seq_idx ON checkin_nonces (employee_id, employee_seq)
    WHERE employee_seq IS NOT NULL;

CREATE OR REPLACE FUNCTION checkins_take_nonce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.device_id IS NULL THEN
        RETURN NEW;
    END IF;
    INSERT INTO checkin_nonces (device_id, nonce, checkin_id, local_day, employee_id, employee_seq)
    VALUES (NEW.device_id, NEW.nonce, NEW.id, NEW.local_day, NEW.employee_id, NEW.employee_seq)
    ON CONFLICT (device_id, nonce) DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;

-- The claim, like the nonce, follows the check-in only at insert: it never changes.
CREATE OR REPLACE FUNCTION checkins_refuse_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.device_id <> OLD.device_id OR NEW.nonce <> OLD.nonce OR NEW.local_day <> OLD.local_day
       OR NEW.employee_seq IS DISTINCT FROM OLD.employee_seq THEN
        RAISE EXCEPTION 'a check-in''s device, nonce, day and number do not change' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER checkins_refuse_key_change ON checkins;
CREATE TRIGGER checkins_refuse_key_change BEFORE UPDATE OF device_id, nonce, local_day, employee_seq ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkins_refuse_key_change();
