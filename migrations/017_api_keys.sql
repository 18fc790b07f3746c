-- API keys for integrations: an institution's system (the staff role over its sites) or a monitoring centre
-- (the county-centre role over its district). Only a keyed hash of the secret is kept: the key is shown once.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('staff', 'county-centre')),
  site_ids text[] NOT NULL DEFAULT '{}',
  district text,
  secret_hash text NOT NULL,
  created_by text NOT NULL,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
