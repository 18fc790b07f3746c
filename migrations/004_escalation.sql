-- Escalation: policies (data), each alert's running chain (a durable timer), and the notification outbox.

-- A policy applies to one alert type ('*' = any) at one site (NULL = hub-wide). The most specific wins:
-- (site, type), (site, '*'), (hub, type), (hub, '*'). The hub-wide '*' policy always exists.
CREATE TABLE escalation_policies (
  id text PRIMARY KEY,
  site_id text REFERENCES sites (id) ON DELETE CASCADE,
  alert_type text NOT NULL,
  name text NOT NULL,
  -- [{ name, targets: ["call-centre" | "duty-staff" | "family" | "supervisor" | { user }], waitSeconds,
  --    unanswered? }]; the last step repeats every waitSeconds until the alert is acknowledged
  steps jsonb NOT NULL,
  builtin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
);
CREATE UNIQUE INDEX escalation_policies_scope ON escalation_policies (coalesce(site_id, ''), alert_type);

INSERT INTO escalation_policies (id, site_id, alert_type, name, steps, builtin)
SELECT 'pol_default_' || t, NULL, t, 'Life-safety default',
  '[{"name":"alert","targets":["call-centre","duty-staff"],"waitSeconds":60},
    {"name":"escalate","targets":["supervisor","family"],"waitSeconds":120},
    {"name":"unanswered","targets":["call-centre","duty-staff","supervisor","family"],"waitSeconds":300,
     "unanswered":true}]', true
FROM unnest(ARRAY['sos', 'fall', 'smoke']) AS t;

INSERT INTO escalation_policies (id, site_id, alert_type, name, steps, builtin) VALUES
  ('pol_default_any', NULL, '*', 'Technical default',
   '[{"name":"alert","targets":["call-centre"],"waitSeconds":900},
     {"name":"escalate","targets":["supervisor"],"waitSeconds":3600}]', true);

-- Unanswered: the chain reached a step marked "unanswered" before anyone acknowledged.
ALTER TABLE alerts ADD COLUMN unanswered boolean NOT NULL DEFAULT false;

-- Hub-raised alerts (no device) fold repeats like device alerts do: one unresolved alert per type and
-- subject (the alert it concerns, else the site).
CREATE UNIQUE INDEX alerts_one_active_hub ON alerts (type, coalesce(related_alert_id, site_id))
  WHERE state <> 'resolved' AND device_id IS NULL;

-- One row per alert that escalates: the chain snapshotted when it starts, and the next step's deadline.
-- next_due_at NULL = stopped (acknowledged, resolved). The scheduler claims due rows FOR UPDATE SKIP LOCKED.
CREATE TABLE alert_escalations (
  alert_id text PRIMARY KEY REFERENCES alerts (id),
  policy_id text,
  chain jsonb,
  next_step integer NOT NULL DEFAULT 0,
  next_iteration integer NOT NULL DEFAULT 0,
  next_due_at timestamptz,
  -- family contacts who acknowledged through their link: no more reminders for them
  acked_contacts jsonb NOT NULL DEFAULT '[]',
  stopped_reason text
);
CREATE INDEX alert_escalations_due ON alert_escalations (next_due_at) WHERE next_due_at IS NOT NULL;

-- The outbox: one row per recipient and channel, written in the transaction of the change that causes it.
CREATE TABLE notifications (
  id text PRIMARY KEY,
  alert_id text NOT NULL REFERENCES alerts (id),
  site_id text,
  step integer NOT NULL,
  step_name text NOT NULL,
  iteration integer NOT NULL,
  reason text NOT NULL CHECK (reason IN ('alert', 'reminder', 'unanswered')),
  target text NOT NULL,
  -- { name, language, userId?, shiftId?, contact? (index in the resident's contacts) }
  recipient jsonb NOT NULL,
  channel text NOT NULL CHECK (channel IN ('live', 'webhook', 'email', 'sms')),
  address jsonb NOT NULL,
  -- the body sent, fixed when the notification is created so every retry sends the same bytes
  message jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
  -- fire-centre signals survive acknowledgements and deadlines
  critical boolean NOT NULL DEFAULT false,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  deadline_at timestamptz NOT NULL,
  receipt text,
  last_error text,
  created_at timestamptz NOT NULL,
  delivered_at timestamptz,
  acknowledged_at timestamptz
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_alert ON notifications (alert_id, created_at);

CREATE TABLE notification_attempts (
  id bigserial PRIMARY KEY,
  notification_id text NOT NULL REFERENCES notifications (id),
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  ok boolean NOT NULL,
  receipt text,
  error text
);
CREATE INDEX notification_attempts_n ON notification_attempts (notification_id, id);
