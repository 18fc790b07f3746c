-- People and 24-hour duty rosters: four roles, contact fields on users, and shifts per site.

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'supervisor', 'operator', 'staff'));
ALTER TABLE users
  ADD COLUMN name text,
  ADD COLUMN phone text,
  ADD COLUMN email text,
  ADD COLUMN webhook text,
  ADD COLUMN webhook_secret text,
  ADD COLUMN language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
  -- staff: the sites they belong to; supervisor: the sites they supervise (empty = all). Not a foreign key
  -- (arrays cannot be): the API checks the ids on write, and a deleted site's id simply matches nothing.
  ADD COLUMN site_ids text[] NOT NULL DEFAULT '{}';
CREATE INDEX users_site_ids ON users USING gin (site_ids);
CREATE INDEX users_created ON users (created_at, id);

-- A shift is either one-off (starts_at..ends_at, instants) or weekly (days at day_from..day_to, wall-clock
-- times in the site's time zone; day_to <= day_from ends the next day). Contact fields override the user's.
CREATE TABLE shifts (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  user_id text REFERENCES users (id),
  name text,
  phone text,
  email text,
  webhook text,
  webhook_secret text,
  language text CHECK (language IN ('zh-CN', 'en')),
  starts_at timestamptz,
  ends_at timestamptz,
  days text[],
  day_from text,
  day_to text,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  CHECK (user_id IS NOT NULL OR name IS NOT NULL),
  CHECK (
    (days IS NULL AND starts_at IS NOT NULL AND ends_at > starts_at AND day_from IS NULL AND day_to IS NULL)
    OR (days IS NOT NULL AND starts_at IS NULL AND ends_at IS NULL AND day_from IS NOT NULL AND day_to IS NOT NULL)
  )
);
CREATE INDEX shifts_site ON shifts (site_id, created_at, id);
-- on-duty looks at a site's weekly shifts plus the one-off shifts around an instant
CREATE INDEX shifts_site_once ON shifts (site_id, ends_at) WHERE days IS NULL;
CREATE INDEX shifts_user ON shifts (user_id);
