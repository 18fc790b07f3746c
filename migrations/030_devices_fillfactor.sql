-- The telemetry writer updates a device's row (last seen, battery, rssi) in every batch that has a reading of
-- it. With room left on each page the update is HOT (no index touched, the old version pruned in place): on a
-- full page every update moves the row and adds an entry to each of the table's indexes. Half-full pages made the writer about
-- 1.5× faster when every reading of a batch came from a different device (README, "Readings at scale").
-- Pages written from now on keep the room; existing ones gain it as they are rewritten (VACUUM FULL devices,
-- at a quiet moment, does it at once).
ALTER TABLE devices SET (fillfactor = 50);
