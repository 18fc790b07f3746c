-- Fire signals that could not be queued (set aside with the reason, so every other signal keeps flowing)
-- and signals cancelled because their monitoring centre was deleted: both belong to the fire-event log.
CREATE TABLE fire_signal_log (
  id bigserial PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('signal-set-aside', 'signal-cancelled')),
  alert_id text,
  -- the notification a cancelled signal was
  notification_id text,
  centre text,
  actor text,
  reason text NOT NULL
);
CREATE INDEX fire_signal_log_site ON fire_signal_log (site_id, at);
