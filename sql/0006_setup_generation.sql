-- A counter of changes to the setup a check-in is judged by: units (time zone,
-- hours, grace, category), offices and policies. The service caches a unit's
-- facts for a day and stores a check-in only if the counter still has the
-- value it read them under (the guard of checkin_insert); any change bumps it,
-- so a cached fact is never used after the change that ends it commits.
CREATE TABLE setup_generation (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n bigint NOT NULL
);
INSERT INTO setup_generation (one, n) VALUES (true, 1);

CREATE FUNCTION setup_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE setup_generation SET n = n + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER units_bump_setup_generation AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION setup_generation_bump();
CREATE TRIGGER offices_bump_setup_generation AFTER INSERT OR UPDATE OR DELETE ON offices
    FOR EACH STATEMENT EXECUTE FUNCTION setup_generation_bump();
CREATE TRIGGER policies_bump_setup_generation AFTER INSERT OR UPDATE OR DELETE ON policies
    FOR EACH STATEMENT EXECUTE FUNCTION setup_generation_bump();

