-- Abuse limits on paid channels (SMS, later voice calls): one row per notification sent on one, kept two hours,
-- counted per resident and per contact address over the last hour.
CREATE TABLE paid_sends (
  notification_id text PRIMARY KEY,
  channel text NOT NULL,
  resident_id text,
  contact text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX paid_sends_resident ON paid_sends (resident_id, at) WHERE resident_id IS NOT NULL;
CREATE INDEX paid_sends_contact ON paid_sends (contact, at);
CREATE INDEX paid_sends_at ON paid_sends (at);
