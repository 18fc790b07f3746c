-- Dedupe that cannot swallow an alarm: a retransmission is the same device and event id, with the same
-- payload, within a window (HUB_DEDUPE_WINDOW) of that id's first arrival. A device whose counter restarts
-- reuses ids, so events may now hold one id more than once; event_ids keeps the occurrence that counts.

CREATE TABLE event_ids (
  device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  payload_hash text NOT NULL,
  first_received_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, event_id)
);
INSERT INTO event_ids (device_id, event_id, payload_hash, first_received_at)
  SELECT device_id, event_id, md5(payload::text), received_at FROM events;

ALTER TABLE events ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD PRIMARY KEY (seq);
CREATE INDEX events_device_event ON events (device_id, event_id);
