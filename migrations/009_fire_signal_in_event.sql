-- A fire alarm's signal and verification window are written in the alarm's own transaction, before the alert
-- row itself (the alert, its history and its feed message are one statement at the end, so the feed's counter
-- row is locked as briefly as possible): their references to the alert are checked at commit.
ALTER TABLE notifications ALTER CONSTRAINT notifications_alert_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE fire_verifications ALTER CONSTRAINT fire_verifications_alert_id_fkey
  DEFERRABLE INITIALLY DEFERRED;

-- The forwarder no longer reads the feed after a cursor of its own.
DELETE FROM hub_settings WHERE key = 'fire_feed_cursor';
