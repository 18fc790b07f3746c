import type { Queryable } from '../store/db.js'

// Device rows for authentication, looked up in batches: after a hub restart thousands of devices CONNECT at
// once, and one `= ANY($1)` query for many costs the database and the event loop far less than one query each.
// Batching per event-loop turn alone is not enough: in a storm the CONNECTs arrive a few per turn, and each
// query's socket write and round trip then cost more than the hub's own work. So one query runs at a time
// and the CONNECTs arriving meanwhile wait for the next one together; a lone CONNECT on a quiet hub is
// still looked up at once.

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

  let busy = false

  /** Starts a query for what is pending (after this turn, so the turn's CONNECTs share it), unless one runs. */
  function kick() {
    if (pending.length === 0 || busy) return
    busy = true
    setImmediate(() =>
      flush().finally(() => {
        busy = false
        kick()
      }),
    )
  }

  async function flush() {
    const batch = pending.splice(0, MAX_BATCH)
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
      pending.push({ id, resolve, reject })
      kick()
    })
}
