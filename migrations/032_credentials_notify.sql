-- Credentials that end, end their MQTT connections on every hub instance sharing the database: a device whose
-- secret changes or that is deleted, an MQTT account changed or deleted, is announced on channel
-- hub_credentials at commit (JSON: owner, endsAt — the old secret's grace end, null for at once — deleted).
CREATE FUNCTION device_credentials_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hub_credentials', json_build_object(
    'owner', 'device:' || OLD.id,
    'endsAt', CASE WHEN TG_OP = 'UPDATE' THEN NEW.old_secret_until END,
    'deleted', TG_OP = 'DELETE')::text);
  RETURN NULL;
END $$;

CREATE FUNCTION account_credentials_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hub_credentials', json_build_object(
    'owner', 'account:' || OLD.id, 'endsAt', NULL, 'deleted', TG_OP = 'DELETE')::text);
  RETURN NULL;
END $$;

CREATE TRIGGER credentials_notify AFTER UPDATE OF secret_hash OR DELETE ON devices
  FOR EACH ROW EXECUTE FUNCTION device_credentials_notify();
CREATE TRIGGER credentials_notify AFTER UPDATE OR DELETE ON mqtt_accounts
  FOR EACH ROW EXECUTE FUNCTION account_credentials_notify();
