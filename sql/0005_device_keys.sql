-- A phone's key identifies one person: the same public key may not be active
-- for two devices at once (two employees, or the same one twice). Like
-- devices_one_active_idx, an index rather than a check in the handler, so two
-- concurrent enrolments of one key cannot both win. A revoked key may be
-- enrolled again.
CREATE UNIQUE INDEX devices_active_key_idx ON devices (public_key) WHERE active;
