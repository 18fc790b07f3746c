-- Fire monitoring: the centres an institution forwards to, signals in the outbox, verification of alarms.

CREATE TABLE monitoring_centres (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- http(s)://… (a signed JSON POST; receipt = 2xx) or mqtt(s)://host:port/topic (receipt = PUBACK at QoS 1)
  url text NOT NULL,
  secret text,
  link_state text NOT NULL DEFAULT 'unknown' CHECK (link_state IN ('up', 'down', 'unknown')),
  last_receipt_at timestamptz,
  -- the link is supervised: a heartbeat signal is due at this time (claimed FOR UPDATE SKIP LOCKED)
  next_heartbeat_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE INDEX monitoring_centres_site ON monitoring_centres (site_id, created_at, id);

-- A fire signal is a notification on the 'centre' channel, critical: retried until receipt, never cancelled.
ALTER TABLE notifications DROP CONSTRAINT notifications_channel_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_channel_check
  CHECK (channel IN ('live', 'webhook', 'email', 'sms', 'centre'));
ALTER TABLE notifications DROP CONSTRAINT notifications_reason_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_reason_check
  CHECK (reason IN ('alert', 'reminder', 'unanswered', 'signal'));
-- a centre's link heartbeat concerns no alert
ALTER TABLE notifications ALTER COLUMN alert_id DROP NOT NULL;
-- the delivery-failure alert of a signal is raised once, 10 s after it was created without a receipt
ALTER TABLE notifications ADD COLUMN overdue_raised boolean NOT NULL DEFAULT false;
CREATE INDEX notifications_critical_due ON notifications (next_attempt_at) WHERE state = 'pending' AND critical;

-- An unverified fire alarm (positive alarm sequence): staff acknowledge within ack_due, investigate within
-- investigate_due, else it is forwarded as confirmed. One row per alarm; confirmed_at/false_alarm_at end it.
CREATE TABLE fire_verifications (
  alert_id text PRIMARY KEY REFERENCES alerts (id),
  site_id text NOT NULL,
  zone text NOT NULL,
  due_at timestamptz,
  ack_due timestamptz NOT NULL,
  investigate_due timestamptz NOT NULL,
  confirmed_at timestamptz,
  confirmed_by text,
  false_alarm_at timestamptz,
  false_alarm_by text,
  false_alarm_reason text
);
CREATE INDEX fire_verifications_due ON fire_verifications (due_at) WHERE due_at IS NOT NULL;

-- The forwarder reads alert changes from the live feed (gap-free in commit order) after this position, so
-- every change that needs a signal gets exactly one, even across a crash. It starts at the feed's end.
INSERT INTO hub_settings (key, value) SELECT 'fire_feed_cursor', seq::text FROM feed_counter;
