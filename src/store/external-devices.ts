import type { Queryable } from './db.js'

// Devices named by a carrier platform's own id (devices.external_id), for its pushes.

export interface ExternalDeviceRow {
  id: string
  type: string
  site_id: string
  resident_id: string | null
}

export async function deviceByExternalId(
  q: Queryable,
  externalId: string,
): Promise<ExternalDeviceRow | null> {
  const { rows } = await q.query<ExternalDeviceRow>(
    'SELECT id, type, site_id, resident_id FROM devices WHERE external_id = $1',
    [externalId],
  )
  return rows[0] ?? null
}
