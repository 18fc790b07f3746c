-- A carrier platform's own id for a device (OneNET's deviceId): pushes from the platform name the device by it.
ALTER TABLE devices ADD COLUMN external_id text;
CREATE UNIQUE INDEX devices_external_id ON devices (external_id) WHERE external_id IS NOT NULL;
