-- Passwords their owners chose, and login throttling without lock-outs
-- (contract, "Passwords"; docs/security.md, "Passwords and logins").

-- password_change_required: the password was set by an admin (POST /v1/employees,
-- POST /v1/staff, PATCH of either) or by a CSV import, so others know it; the
-- account's tokens are good only for POST /v1/auth/password until it is changed.
-- The accounts that exist keep working as they did (false).
--
-- credential_version: moved on by every password change and reset, and written
-- into each access token ("cv"); a token whose version is not the account's
-- current one is refused, so the tokens issued before a change stop working.
ALTER TABLE accounts
    ADD COLUMN password_change_required boolean NOT NULL DEFAULT false,
    ADD COLUMN credential_version bigint NOT NULL DEFAULT 1;

-- Login attempts per key ('user:<name>', or 'addr:<IPv4>' / 'addr:<IPv6 /64>'):
-- each attempt is counted before its password is verified (login_attempt in
-- store_accounts.c), so concurrent guesses cannot all pass the check. A user's
-- key is never locked: past the free failures, each further try waits a delay
-- that doubles with each failure (login_delay), up to a ceiling. last_failure is
-- when the key's last attempt was counted.
ALTER TABLE login_failures ADD COLUMN last_failure timestamptz;
UPDATE login_failures SET last_failure = window_started;
ALTER TABLE login_failures ALTER COLUMN last_failure SET NOT NULL;

-- The wait before the next try after `failures` failed ones: none for the first
-- `free` of them, then base_s, doubling with each further failure, at most max_s.
CREATE FUNCTION login_delay(failures integer, free integer, base_s integer, max_s integer) RETURNS interval
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN failures < free THEN interval '0'
                ELSE make_interval(secs => least(max_s::float8, base_s * 2.0 ^ least(failures - free, 30))) END
$$;
