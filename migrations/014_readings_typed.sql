-- Readings at scale: each device type's common numbers in typed columns m1 … m4 (which number is which slot is
-- the type's `metrics` in devices/*.ts), the rest stays in data (jsonb). Buckets and the continuous aggregates
-- average the typed columns; nothing has to parse jsonb per row.
ALTER TABLE readings
  ADD COLUMN m1 double precision,
  ADD COLUMN m2 double precision,
  ADD COLUMN m3 double precision,
  ADD COLUMN m4 double precision;

-- Readings stored before: the types of that time, their numbers moved out of data into their slots.
UPDATE readings r SET
  m1 = (r.data ->> 'occupancy')::float8, m2 = (r.data ->> 'respiration')::float8,
  data = r.data - 'occupancy' - 'respiration'
FROM devices d WHERE d.id = r.device_id AND d.type = 'fall-sensor' AND r.data ?| array['occupancy', 'respiration'];
UPDATE readings r SET
  m1 = (r.data ->> 'obscuration')::float8, m2 = (r.data ->> 'temperature')::float8,
  data = r.data - 'obscuration' - 'temperature'
FROM devices d WHERE d.id = r.device_id AND d.type = 'smoke-detector' AND r.data ?| array['obscuration', 'temperature'];
