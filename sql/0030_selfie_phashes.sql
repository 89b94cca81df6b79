-- Near copies of selfies (CONTRACT.md: SELFIE_REUSED also holds for a near
-- copy of an earlier selfie; docs/security.md, "A photo used again"). Each
-- selfie that decodes has a 64-bit perceptual hash (selfie/phash.c), kept with
-- its check-in and, for the search, here in three parts of 21, 21 and 22 bits,
-- each B-tree indexed: multi-index hashing (selfie/phash.h says why a probe of
-- a few hundred part values per index finds every hash within 8 bits).

ALTER TABLE checkins ADD COLUMN selfie_phash bigint;

-- One row per check-in whose selfie decoded; filled by a trigger whoever
-- inserts, kept when the retention purges the file (the hash is evidence).
-- The parts must be those of phash_part() in selfie/phash.c.
CREATE TABLE selfie_phashes (
    checkin_id bigint NOT NULL,
    local_day date NOT NULL,
    phash bigint NOT NULL,
    part0 integer GENERATED ALWAYS AS (((phash >> 43) & 2097151)::integer) STORED,
    part1 integer GENERATED ALWAYS AS (((phash >> 22) & 2097151)::integer) STORED,
    part2 integer GENERATED ALWAYS AS ((phash & 4194303)::integer) STORED
);
-- The candidates are found and checked from the indexes alone (index-only scans).
CREATE INDEX selfie_phashes_part0_idx ON selfie_phashes (part0) INCLUDE (local_day, phash, checkin_id);
CREATE INDEX selfie_phashes_part1_idx ON selfie_phashes (part1) INCLUDE (local_day, phash, checkin_id);
CREATE INDEX selfie_phashes_part2_idx ON selfie_phashes (part2) INCLUDE (local_day, phash, checkin_id);

CREATE FUNCTION checkins_note_selfie_phash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.selfie_phash IS NOT NULL THEN
        INSERT INTO selfie_phashes (checkin_id, local_day, phash) VALUES (NEW.id, NEW.local_day, NEW.selfie_phash);
    END IF;
    RETURN NULL;
END $$;

-- After the row is stored: a row the nonce trigger skipped used nothing.
CREATE TRIGGER checkins_note_selfie_phash AFTER INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkins_note_selfie_phash();

-- The nearest earlier selfie within max_bits of hash q, from since on:
-- {"checkin_id", "distance"} or NULL. p0, p1 and p2 are the probes of the
-- three parts (selfie/phash.c, phash_probes).
CREATE FUNCTION selfie_near_copy(q bigint, p0 integer[], p1 integer[], p2 integer[], since date, max_bits integer)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('checkin_id', x.checkin_id::text, 'distance', x.d)
      FROM (SELECT s.checkin_id, bit_count((s.phash # q)::bit(64))::integer AS d
              FROM selfie_phashes s
             WHERE (s.part0 = ANY (p0) OR s.part1 = ANY (p1) OR s.part2 = ANY (p2)) AND s.local_day >= since) x
     WHERE x.d <= max_bits
     ORDER BY x.d, x.checkin_id
     LIMIT 1
$$;
