-- A rotated device secret may keep working for a grace period, so a fleet can be re-keyed without an outage.
ALTER TABLE devices ADD COLUMN old_secret_hash bytea, ADD COLUMN old_secret_until timestamptz;
