import type { Queryable } from './db.js'
import type { Location } from './places.js'

// Writes of a bulk device import: which named residents live at the site, and all accepted devices in one
// statement (thousands of rows in one round trip).

export async function residentsAt(q: Queryable, siteId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const { rows } = await q.query<{ id: string }>(
    'SELECT id FROM residents WHERE site_id = $1 AND id = ANY($2::text[])',
    [siteId, ids],
  )
  return new Set(rows.map((r) => r.id))
}

export interface NewDevice {
  id: string
  type: string
  residentId?: string
  location: Location
  secretHash: Buffer
}

export async function insertDevices(q: Queryable, siteId: string, list: NewDevice[]) {
  if (list.length === 0) return
  await q.query(
    `INSERT INTO devices (id, type, site_id, resident_id, location, secret_hash)
     SELECT d.id, d.type, $1, d.resident_id, d.location, d.secret_hash
     FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bytea[])
       AS d(id, type, resident_id, location, secret_hash)`,
    [
      siteId,
      list.map((d) => d.id),
      list.map((d) => d.type),
      list.map((d) => d.residentId ?? null),
      list.map((d) => JSON.stringify(d.location)),
      list.map((d) => d.secretHash),
    ],
  )
}
