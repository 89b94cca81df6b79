-- Who decides each kind of leave in an agency (issue 22: "the approver of each kind is the unit's
-- supervisor unless the agency names another role"). No row: the supervisor of the employee's unit
-- or a unit above it. A reviewer (BKD) or an admin named here decides that kind for the whole
-- agency instead; nobody decides its own (403 self_approval) whatever the role.
CREATE TABLE leave_approvers (
    agency_id bigint NOT NULL REFERENCES units (id),
    kind text NOT NULL REFERENCES leave_kinds (kind),
    role text NOT NULL CHECK (role IN ('supervisor', 'reviewer', 'admin')),
    PRIMARY KEY (agency_id, kind)
);

-- The role that decides kind for the employees of unit.
CREATE FUNCTION leave_approver(unit bigint, leave_kind text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT a.role FROM leave_approvers a JOIN units u ON u.agency_id = a.agency_id
                      WHERE u.id = unit AND a.kind = leave_kind), 'supervisor')
$$;
