-- The nightly export (docs/export.md) writes each time in its unit's own time
-- zone, as RFC 3339 to the second with the zone's offset at that instant:
-- "2023-09-04T07:25:13+07:00". Fractions of a second are cut, not rounded.
-- A single expression without FROM, so that PostgreSQL inlines it into the
-- export's statement instead of calling it for each of 100,000 rows.
CREATE FUNCTION local_rfc3339(t timestamptz, tz text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(t AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN t AT TIME ZONE tz < t AT TIME ZONE 'UTC' THEN '-' ELSE '+' END
           || to_char(greatest(t AT TIME ZONE tz - t AT TIME ZONE 'UTC', t AT TIME ZONE 'UTC' - t AT TIME ZONE tz),
                      'HH24:MI')
$$;

-- The export reads one day's violations out of all of them (a year of 100,000
-- employees makes millions) through violations_day_idx (0009), not by a scan of
-- the table; the day's check-ins unit by unit through checkins_unit_day_idx.
