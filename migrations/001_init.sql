-- The first slice: provisioning, devices, events, readings, alerts, their audit trail and the live feed.
-- Runs on plain PostgreSQL; 002 upgrades readings to a hypertable where timescaledb is available.

CREATE TABLE hub_settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE users (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'operator')),
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

CREATE TABLE sites (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('institution', 'home')),
  name text NOT NULL,
  address text NOT NULL,
  lat double precision,
  lon double precision,
  timezone text NOT NULL DEFAULT 'Asia/Shanghai',
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);

CREATE TABLE residents (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id),
  name text NOT NULL,
  ability_level smallint NOT NULL CHECK (ability_level BETWEEN 0 AND 4),
  lives_alone boolean NOT NULL DEFAULT false,
  conditions jsonb NOT NULL DEFAULT '[]',
  contacts jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX residents_site ON residents (site_id, created_at, id);

CREATE TABLE devices (
  id text PRIMARY KEY,
  type text NOT NULL,
  site_id text NOT NULL REFERENCES sites (id),
  resident_id text REFERENCES residents (id),
  location jsonb NOT NULL DEFAULT '{}',
  -- HMAC-SHA-256 of the secret under hub_settings.secret_key: fast on a reconnect storm, useless if leaked.
  secret_hash bytea NOT NULL,
  status text CHECK (status IN ('online', 'offline')),
  last_seen timestamptz,
  battery real,
  rssi real,
  rejected_count bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX devices_site ON devices (site_id, created_at, id);
CREATE INDEX devices_resident ON devices (resident_id);

-- One row per device event; the primary key is what makes a retransmission harmless.
CREATE TABLE events (
  device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  type text NOT NULL,
  state text NOT NULL,
  device_ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  alert_id text,
  PRIMARY KEY (device_id, event_id)
);
CREATE INDEX events_received ON events (received_at);

CREATE TABLE readings (
  device_id text NOT NULL,
  ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  battery real,
  rssi real,
  data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX readings_device_ts ON readings (device_id, ts DESC);

CREATE TABLE rejected_messages (
  id bigserial PRIMARY KEY,
  device_id text NOT NULL,
  topic text NOT NULL,
  reason text NOT NULL,
  detail text NOT NULL,
  size integer NOT NULL,
  -- at most the first 4 KiB of what arrived
  raw bytea NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX rejected_device ON rejected_messages (device_id, id);

CREATE TABLE alerts (
  id text PRIMARY KEY,
  type text NOT NULL,
  priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
  -- the resident's GB/T 42195 level when the alert opened: orders alerts within a priority
  ability_level smallint NOT NULL DEFAULT 0,
  state text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  site_id text REFERENCES sites (id),
  resident_id text REFERENCES residents (id),
  device_id text REFERENCES devices (id),
  related_alert_id text REFERENCES alerts (id),
  event jsonb,
  count integer NOT NULL DEFAULT 1,
  opened_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at timestamptz,
  resolved_by text,
  outcome text
);
-- At most one unresolved alert per device and type: repeats fold into it, even across hub instances.
CREATE UNIQUE INDEX alerts_one_active ON alerts (device_id, type) WHERE state <> 'resolved' AND device_id IS NOT NULL;
CREATE INDEX alerts_queue ON alerts (state, priority, ability_level DESC, opened_at, id);
CREATE INDEX alerts_site ON alerts (site_id, opened_at);

-- Append-only audit trail: every transition, who and when.
CREATE TABLE alert_events (
  id bigserial PRIMARY KEY,
  alert_id text NOT NULL REFERENCES alerts (id),
  at timestamptz NOT NULL,
  kind text NOT NULL,
  actor text,
  note text,
  data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

-- The live feed. seq comes from feed_counter, updated inside each alert transaction, so seq order is commit
-- order (a bare sequence read by concurrent transactions could commit N after N+1 and a resuming client
-- would miss N).
CREATE TABLE feed_counter (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL
);
INSERT INTO feed_counter (seq) VALUES (0);

CREATE TABLE feed (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  -- json, not jsonb: stored and replayed as sent, never queried into; saves parsing on the hot path
  data json NOT NULL
);
CREATE INDEX feed_at ON feed (at);
