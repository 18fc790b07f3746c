-- MQTT accounts that are not devices (Node-RED, monitoring, conformance suites), each confined to the topic
-- filters it may publish and subscribe to. The secret is hashed like a device's (HMAC under the hub's key).
CREATE TABLE mqtt_accounts (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  secret_hash bytea NOT NULL,
  publish text[] NOT NULL DEFAULT '{}',
  subscribe text[] NOT NULL DEFAULT '{}',
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX mqtt_accounts_created ON mqtt_accounts (created_at, id);
