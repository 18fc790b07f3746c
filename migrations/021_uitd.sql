-- GB/T 26875.3 user information transmission devices (UITDs): each is registered to a site by its six address
-- bytes and backed by a hub device of type "uitd", through which its events, alerts and rejected frames flow.
CREATE TABLE uitds (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  device_id text NOT NULL UNIQUE REFERENCES devices (id) ON DELETE CASCADE,
  -- 12 lowercase hex digits, in the order the bytes travel
  address text NOT NULL UNIQUE CHECK (address ~ '^[0-9a-f]{12}$'),
  name text NOT NULL,
  link_timeout_s integer NOT NULL CHECK (link_timeout_s BETWEEN 10 AND 7200),
  link_state text NOT NULL DEFAULT 'unknown' CHECK (link_state IN ('unknown', 'up', 'lost')),
  last_frame_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX uitds_site ON uitds (site_id, created_at, id);

-- Where each component behind a UITD is: (system address, component address) → building/floor/zone/room.
CREATE TABLE uitd_components (
  uitd_id text NOT NULL REFERENCES uitds (id) ON DELETE CASCADE,
  system_address integer NOT NULL CHECK (system_address BETWEEN 0 AND 255),
  component_address bigint NOT NULL CHECK (component_address BETWEEN 0 AND 4294967295),
  location jsonb NOT NULL,
  PRIMARY KEY (uitd_id, system_address, component_address)
);
