-- The warm check-in's statement (checkin_insert) did for every row work that
-- most check-ins do not need (docs/performance.md, "The guarded insert alone"):
--
-- - checkins' two AFTER INSERT triggers that note a selfie's first use and its
--   perceptual hash ran, and were queued, for every row; they now fire only
--   for a row with a selfie (WHEN), as nine in ten check-ins have none;
-- - checkin_times_doc, the answer's three local times, was a PL/pgSQL call with
--   a look-up of the unit on every check-in; it now takes the unit's time zone
--   from its caller and is a single expression, which PostgreSQL inlines into
--   the caller's plan (no call, no look-up of its own, nothing planned per call).

DROP TRIGGER checkins_note_selfie ON checkins;
CREATE TRIGGER checkins_note_selfie AFTER INSERT ON checkins
    FOR EACH ROW WHEN (NEW.selfie_sha256 IS NOT NULL) EXECUTE FUNCTION checkins_note_selfie();

DROP TRIGGER checkins_note_selfie_phash ON checkins;
CREATE TRIGGER checkins_note_selfie_phash AFTER INSERT ON checkins
    FOR EACH ROW WHEN (NEW.selfie_phash IS NOT NULL) EXECUTE FUNCTION checkins_note_selfie_phash();

-- A check-in's three times as the 201, its replay and the employee's record show
-- them: in the unit's zone tz, to the second.
DROP FUNCTION checkin_times_doc(timestamptz, timestamptz, timestamptz, bigint);
CREATE FUNCTION checkin_times_doc(captured timestamptz, received timestamptz, judged timestamptz, tz text)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('captured_at', local_rfc3339(captured, tz),
                             'received_at', local_rfc3339(received, tz),
                             'judged_at', local_rfc3339(judged, tz))
$$;
