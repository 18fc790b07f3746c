-- Two more roles and what scopes them. A county-centre user (县级养老机构消防安全管理中心) sees the fire state
-- and fire alerts of every institution whose `district` (sites, 015) is its own; a family user sees only the
-- alarms of its `resident_ids`, and joins through a single-use invitation link.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('admin', 'supervisor', 'operator', 'staff', 'county-centre', 'family'));
ALTER TABLE users ADD COLUMN district text;
ALTER TABLE users ADD COLUMN resident_ids text[] NOT NULL DEFAULT '{}';
CREATE INDEX sites_district ON sites (district) WHERE district IS NOT NULL;

CREATE TABLE family_invites (
  id text PRIMARY KEY,
  resident_id text NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  -- keyed hash of the link's secret: the link itself is shown once and never stored
  secret_hash text NOT NULL,
  created_by text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
