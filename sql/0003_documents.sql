-- The JSON document of each entity as the API shows it, in one place: every
-- statement that answers with an entity selects <entity>_doc(row). Ids are
-- strings; times are RFC 3339 with an offset.

CREATE FUNCTION unit_doc(u units) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id::text, 'code', u.code, 'name', u.name, 'category', u.category,
        'timezone', u.timezone, 'parent_id', u.parent_id::text, 'agency_id', u.agency_id::text,
        'work_hours', u.work_hours, 'grace_minutes', u.grace_minutes, 'created_at', u.created_at)
$$;

CREATE FUNCTION office_doc(o offices) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', o.id::text, 'unit_id', o.unit_id::text, 'name', o.name, 'geofence', o.geofence,
        'created_at', o.created_at)
$$;

CREATE FUNCTION employee_doc(e employees) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', e.id::text, 'nip', e.nip, 'name', e.name, 'unit_id', e.unit_id::text,
        'birth_date', e.birth_date, 'vulnerable', e.vulnerable, 'active', e.active,
        'created_at', e.created_at, 'updated_at', e.updated_at)
$$;

CREATE FUNCTION account_doc(a accounts) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id::text, 'username', a.username, 'role', a.role, 'unit_id', a.unit_id::text,
        'employee_id', a.employee_id::text, 'disabled', a.disabled, 'created_at', a.created_at)
$$;

CREATE FUNCTION policy_doc(p policies) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', p.id::text, 'name', p.name, 'starts_on', p.starts_on, 'ends_on', p.ends_on,
        'applies_to', p.applies_to, 'unit_id', p.unit_id::text, 'priority', p.priority,
        'max_wfh_percent', p.max_wfh_percent, 'max_wfo_percent', p.max_wfo_percent,
        'selfie_required_for', p.selfie_required_for, 'created_at', p.created_at)
$$;

CREATE FUNCTION audit_doc(a audit_log) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id::text, 'at', a.at, 'actor', a.actor, 'actor_account_id', a.actor_account_id::text,
        'action', a.action, 'entity', a.entity, 'entity_id', a.entity_id, 'before', a.before, 'after', a.after)
$$;
