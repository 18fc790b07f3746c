-- Personal data: when an alert's personal details (notes, recipients, addresses, the device's reading) were
-- removed, by erasure of its resident or by the retention period; such an alert stays for statistics.
ALTER TABLE alerts ADD COLUMN details_erased_at timestamptz;
CREATE INDEX alerts_details_kept ON alerts (resolved_at) WHERE details_erased_at IS NULL AND state = 'resolved';
