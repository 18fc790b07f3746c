import type { Queryable, Tx } from './db.js'

// Device events and their dedupe. A retransmission is the same device and event id, with the same payload,
// within the dedupe window of that id's first arrival; anything else is a new event, so a device whose
// counter restarts (battery change, factory reset) and reuses an id never has an alarm swallowed.
// event_ids holds, per (device, id), the payload hash and arrival of the occurrence that counts; its row
// lock (INSERT … ON CONFLICT DO UPDATE) makes two hubs on one database agree on which copy is new.

export interface EventRow {
  deviceId: string
  eventId: string
  type: string
  state: string
  deviceTs: Date | string
  receivedAt: Date
  payload: unknown
}

const SQL = `
WITH incoming AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
    $7::jsonb[]) AS i(device_id, event_id, type, state, device_ts, received_at, payload)
), claimed AS (
  INSERT INTO event_ids AS x (device_id, event_id, payload_hash, first_received_at)
  SELECT device_id, event_id, md5(payload::text), received_at FROM incoming
  ON CONFLICT (device_id, event_id) DO UPDATE
    SET payload_hash = excluded.payload_hash, first_received_at = excluded.first_received_at
    WHERE x.payload_hash <> excluded.payload_hash
       OR x.first_received_at <= excluded.first_received_at - $8 * interval '1 millisecond'
  RETURNING device_id, event_id
), fresh AS (
  INSERT INTO events (device_id, event_id, type, state, device_ts, received_at, payload)
  SELECT i.* FROM incoming i JOIN claimed c USING (device_id, event_id)
  RETURNING device_id, event_id
)
SELECT f.device_id, f.event_id, coalesce(r.ability_level, 0) AS level FROM fresh f
JOIN devices d ON d.id = f.device_id LEFT JOIN residents r ON r.id = d.resident_id`

const key = (deviceId: string, eventId: string) => `${deviceId}\u0000${eventId}`

/**
 * Stores the events that are not retransmissions and says which those are (by index into `rows`), with
 * each device's resident's ability level. One round trip per batch, one more for each extra copy of an id
 * inside the batch (one statement may claim an id once; the later copy is then judged against the first).
 */
export async function insertFreshEvents(tx: Tx, rows: EventRow[], dedupeWindowMs: number) {
  const fresh = new Set<number>()
  const level = new Map<string, number>()
  const copies = new Map<string, number>()
  const rounds: number[][] = []
  rows.forEach((r, index) => {
    const k = key(r.deviceId, r.eventId)
    const n = copies.get(k) ?? 0
    copies.set(k, n + 1)
    if (n === rounds.length) rounds.push([])
    rounds[n]!.push(index)
  })
  for (const round of rounds) {
    const batch = round.map((i) => rows[i]!)
    const res = await tx.query<{ device_id: string; event_id: string; level: number }>(SQL, [
      batch.map((r) => r.deviceId),
      batch.map((r) => r.eventId),
      batch.map((r) => r.type),
      batch.map((r) => r.state),
      batch.map((r) => r.deviceTs),
      batch.map((r) => r.receivedAt),
      batch.map((r) => JSON.stringify(r.payload)),
      dedupeWindowMs,
    ])
    const stored = new Set(res.rows.map((r) => key(r.device_id, r.event_id)))
    for (const i of round) if (stored.has(key(rows[i]!.deviceId, rows[i]!.eventId))) fresh.add(i)
    for (const r of res.rows) level.set(r.device_id, r.level)
  }
  return { fresh, level }
}

/**
 * Forgets event ids whose dedupe window has passed (at most `limit` per call): a missing row and an expired
 * one judge the next copy alike (a new event), so this changes no decision and keeps event_ids about one
 * window's worth of events. Returns how many it forgot.
 */
export async function pruneEventIds(q: Queryable, dedupeWindowMs: number, now: Date, limit = 10_000) {
  const { rowCount } = await q.query(
    `DELETE FROM event_ids WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM event_ids WHERE first_received_at < $1 LIMIT $2))`,
    [new Date(now.getTime() - dedupeWindowMs), limit],
  )
  return rowCount ?? 0
}
