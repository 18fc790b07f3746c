-- Activity monitoring and device health (src/rules/). A resident's own inactivity setting (null: the defaults),
-- and the rule state the hub keeps in memory, written back so that a restart recovers it: the rules never
-- scan the readings table.
ALTER TABLE residents ADD COLUMN activity jsonb;

-- What the rules read about residents, devices and sites changed since a moment: the hub refreshes only those.
-- Column-specific triggers: the telemetry writer's last-seen updates do not fire them.
ALTER TABLE residents ADD COLUMN rules_changed_at timestamptz NOT NULL DEFAULT clock_timestamp();
ALTER TABLE devices ADD COLUMN rules_changed_at timestamptz NOT NULL DEFAULT clock_timestamp();
ALTER TABLE sites ADD COLUMN rules_changed_at timestamptz NOT NULL DEFAULT clock_timestamp();
CREATE FUNCTION touch_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.rules_changed_at := clock_timestamp();
  RETURN NEW;
END
$$;
CREATE TRIGGER residents_rules_changed BEFORE UPDATE OF site_id, ability_level, lives_alone, activity
  ON residents FOR EACH ROW EXECUTE FUNCTION touch_rules_changed();
CREATE TRIGGER devices_rules_changed BEFORE UPDATE OF type, site_id, resident_id
  ON devices FOR EACH ROW EXECUTE FUNCTION touch_rules_changed();
CREATE TRIGGER sites_rules_changed BEFORE UPDATE OF timezone
  ON sites FOR EACH ROW EXECUTE FUNCTION touch_rules_changed();
-- a device moved to another resident, or deleted: the resident it left has one device fewer
CREATE FUNCTION touch_former_resident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.resident_id IS NOT NULL AND (TG_OP = 'DELETE' OR OLD.resident_id IS DISTINCT FROM NEW.resident_id) THEN
    UPDATE residents SET rules_changed_at = clock_timestamp() WHERE id = OLD.resident_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER devices_left_resident AFTER UPDATE OF resident_id OR DELETE
  ON devices FOR EACH ROW EXECUTE FUNCTION touch_former_resident();
CREATE INDEX residents_rules_changed ON residents (rules_changed_at);
CREATE INDEX devices_rules_changed ON devices (rules_changed_at);

CREATE TABLE resident_rule_state (
  resident_id text PRIMARY KEY REFERENCES residents (id) ON DELETE CASCADE,
  -- the resident's latest sign of life (or when monitoring began)
  last_activity timestamptz,
  -- the other rules' state (out of bed since, …), as each rule saves it
  state jsonb NOT NULL DEFAULT '{}',
  saved_at timestamptz NOT NULL
);

-- Rule alerts about a resident (no device) are one unresolved alert per resident and type, not per site as
-- hub-raised alerts are; the rules also look up the latest per resident and type at start.
DROP INDEX alerts_one_active_hub;
CREATE UNIQUE INDEX alerts_one_active_hub ON alerts (type, coalesce(related_alert_id, site_id))
  WHERE state <> 'resolved' AND device_id IS NULL AND type NOT IN ('inactivity', 'bed-exit', 'vital-sign');
CREATE UNIQUE INDEX alerts_one_active_resident ON alerts (resident_id, type)
  WHERE state <> 'resolved' AND device_id IS NULL AND type IN ('inactivity', 'bed-exit', 'vital-sign');
CREATE INDEX alerts_resident_type ON alerts (resident_id, type, opened_at) WHERE device_id IS NULL;
