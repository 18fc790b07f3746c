-- Welfare visits (探访关爱): special-difficulty residents (特殊困难老年人) are to be visited every month; each
-- visit is recorded. Sites get an optional district, the level above a site at which visit rates are reported.

ALTER TABLE residents ADD COLUMN special_difficulty boolean NOT NULL DEFAULT false;
ALTER TABLE sites ADD COLUMN district text;

CREATE TABLE visits (
  id text PRIMARY KEY,
  resident_id text NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  visitor text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('in-person', 'phone', 'video')),
  findings text,
  follow_up boolean NOT NULL DEFAULT false,
  -- the user who recorded it
  recorded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
-- a resident's visits newest first, and "visited this month" per resident
CREATE INDEX visits_resident_at ON visits (resident_id, at DESC, id);
CREATE INDEX residents_special ON residents (site_id) WHERE special_difficulty;

-- A no-contact alert concerns one resident (not a site, as other hub-raised alerts do): one unresolved per
-- resident.
DROP INDEX alerts_one_active_hub;
CREATE UNIQUE INDEX alerts_one_active_hub ON alerts (type, coalesce(related_alert_id, site_id))
  WHERE state <> 'resolved' AND device_id IS NULL AND type <> 'no-contact';
CREATE UNIQUE INDEX alerts_one_no_contact ON alerts (resident_id)
  WHERE state <> 'resolved' AND type = 'no-contact';
