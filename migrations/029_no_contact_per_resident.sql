-- No-contact alerts concern one resident, like the activity alerts (024): keep them out of the per-site index of
-- hub-raised alerts, which 024 recreated (015's alerts_one_no_contact keeps one unresolved per resident).
DROP INDEX alerts_one_active_hub;
CREATE UNIQUE INDEX alerts_one_active_hub ON alerts (type, coalesce(related_alert_id, site_id))
  WHERE state <> 'resolved' AND device_id IS NULL
    AND type NOT IN ('inactivity', 'bed-exit', 'vital-sign', 'no-contact');
