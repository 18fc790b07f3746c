import type { Queryable } from '../store/db.js'

// Device rows for authentication, looked up in batches: after a hub restart thousands of devices CONNECT at
// once, and one `= ANY($1)` query per tick costs the database and the event loop far less than one query each.

export interface DeviceAuthRow {
  id: string
  type: string
  site_id: string
  resident_id: string | null
  secret_hash: Buffer
  /** the secret before the last rotation, while its grace period lasts (else null) */
  old_secret_hash: Buffer | null
  old_secret_until: Date | null
}

const MAX_BATCH = 1_000

export function deviceLookup(db: Queryable) {
  const pending: {
    id: string
    resolve: (row: DeviceAuthRow | undefined) => void
    reject: (e: unknown) => void
  }[] = []

  async function flush() {
    const batch = pending.splice(0, MAX_BATCH)
    if (pending.length > 0) setImmediate(flush)
    try {
      const { rows } = await db.query<DeviceAuthRow>(
        `SELECT id, type, site_id, resident_id, secret_hash,
           CASE WHEN old_secret_until > now() THEN old_secret_hash END AS old_secret_hash, old_secret_until
         FROM devices WHERE id = ANY($1::text[])`,
        [[...new Set(batch.map((p) => p.id))]],
      )
      const byId = new Map(rows.map((r) => [r.id, r]))
      for (const p of batch) p.resolve(byId.get(p.id))
    } catch (err) {
      for (const p of batch) p.reject(err)
    }
  }

  return (id: string): Promise<DeviceAuthRow | undefined> =>
    new Promise((resolve, reject) => {
      if (pending.push({ id, resolve, reject }) === 1) setImmediate(flush)
    })
}
