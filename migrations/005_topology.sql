-- Fire safety in institutions: the site's topology (places) and commands sent to devices.

-- Buildings, floors, zones, rooms and beds of an institution, as one tree. `path` is the place's location
-- as a device names it ({ building, floor, zone?, room?, bed? }, levels may be skipped below a building);
-- it is kept on the row so "does a device's location name a place?" is one equality, and a rename updates
-- it for the whole subtree in one statement.
CREATE TABLE places (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  -- a place with children cannot be deleted (the FK refuses it)
  parent_id text REFERENCES places (id),
  kind text NOT NULL CHECK (kind IN ('building', 'floor', 'zone', 'room', 'bed')),
  name text NOT NULL,
  path jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
-- Two children of one parent never share a kind and a name, so a path names at most one place.
CREATE UNIQUE INDEX places_path ON places (site_id, path);
CREATE INDEX places_site ON places (site_id, created_at, id);
CREATE INDEX places_parent ON places (parent_id);

-- Commands sent to devices over their commands topic, and what became of each.
-- sent: published (held by the broker for an offline persistent session); delivered: the device's PUBACK;
-- done / failed: the device's command-result event.
CREATE TABLE device_commands (
  id text PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  site_id text NOT NULL,
  cmd text NOT NULL,
  requested_by text NOT NULL,
  sent_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('sent', 'delivered', 'done', 'failed')),
  -- { ok, detail?, eventId?, at } from the device, or { detail } when the hub could not publish
  result jsonb,
  updated_at timestamptz NOT NULL
);
CREATE INDEX device_commands_device ON device_commands (device_id, sent_at, id);
CREATE INDEX device_commands_site ON device_commands (site_id, sent_at);
