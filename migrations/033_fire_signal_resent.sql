-- A signal set aside can be queued again by staff once its cause is fixed: the fire-event log records who did.
ALTER TABLE fire_signal_log DROP CONSTRAINT fire_signal_log_kind_check;
ALTER TABLE fire_signal_log ADD CONSTRAINT fire_signal_log_kind_check
  CHECK (kind IN ('signal-set-aside', 'signal-cancelled', 'signal-resent'));
