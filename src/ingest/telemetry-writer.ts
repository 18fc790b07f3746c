import { finished } from 'node:stream/promises'
import { from as copyFrom } from 'pg-copy-streams'
import type { Metrics } from '../metrics.js'
import { type Db, type Tx, withTransaction } from '../store/db.js'
import { DeviceRows, type DeviceUpdate } from './device-rows.js'
import { copyText, READING_COLUMNS, type ReadingRow } from './reading-rows.js'

// Everything that is not an event goes through this one batched writer: readings, device status and
// last-seen times, and the record of rejected messages.

export const RAW_KEPT_BYTES = 4096

/**
 * How the telemetry writer batches: a batch is built, sent and acknowledged in one go on the event loop, so
 * 1,000 keeps each go short; it waits up to 5 ms to fill up, so a steady trickle is not one COPY per reading.
 * At most `capacity` items queued (the admission budget keeps readings well below it).
 */
export const TELEMETRY_BATCHING = { maxBatch: 1000, lingerMs: 5, capacity: 50_000, concurrency: 2 }

export type StateItem =
  | ({ kind: 'reading' } & ReadingRow)
  | { kind: 'status'; deviceId: string; status: 'online' | 'offline'; receivedAt: Date }
  | { kind: 'seen'; deviceId: string; receivedAt: Date }
  | {
      kind: 'reject'
      deviceId: string
      receivedAt: Date
      topic: string
      reason: string
      detail: string
      raw: Buffer
      /** false when the device is over its quota of kept rejects: counted, bytes not kept */
      keep: boolean
    }
  /** writes every device row held back (device-rows.ts) */
  | { kind: 'flush' }

/** Folds a batch into one update per device: latest time, latest battery/rssi/status, rejects counted. */
function deviceUpdates(items: StateItem[]): Map<string, DeviceUpdate> {
  const out = new Map<string, DeviceUpdate>()
  for (const i of items) {
    if (i.kind === 'flush') continue
    let u = out.get(i.deviceId)
    if (!u) {
      u = { seen: i.receivedAt, battery: null, rssi: null, status: null, rejected: 0 }
      out.set(i.deviceId, u)
    }
    if (i.receivedAt > u.seen) u.seen = i.receivedAt
    if (i.kind === 'reading') {
      u.battery = i.reading.battery ?? u.battery
      u.rssi = i.reading.rssi ?? u.rssi
    } else if (i.kind === 'status') u.status = i.status
    else if (i.kind === 'reject') u.rejected++
  }
  return out
}

const COPY_READINGS = `COPY readings (${READING_COLUMNS.join(', ')}) FROM STDIN`

/** COPY, not INSERT: no parameter arrays to build and parse, the fastest way into a (hyper)table. */
export async function copyReadings(tx: Tx, rs: readonly ReadingRow[]) {
  if (rs.length === 0) return
  // one chunk, written straight in: a stream pipeline per batch costs more than the chunk itself
  const copy = tx.query(copyFrom(COPY_READINGS))
  copy.end(copyText(rs))
  await finished(copy)
}

async function insertRejects(tx: Tx, rs: Extract<StateItem, { kind: 'reject' }>[]) {
  if (rs.length === 0) return
  await tx.query(
    `INSERT INTO rejected_messages (device_id, topic, reason, detail, size, raw, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bytea[], $7::timestamptz[])`,
    [
      rs.map((r) => r.deviceId),
      rs.map((r) => r.topic),
      rs.map((r) => r.reason),
      rs.map((r) => r.detail.slice(0, 1000)),
      rs.map((r) => r.raw.length),
      rs.map((r) => r.raw.subarray(0, RAW_KEPT_BYTES)),
      rs.map((r) => r.receivedAt),
    ],
  )
}

async function updateDevices(tx: Tx, updates: Map<string, DeviceUpdate>) {
  if (updates.size === 0) return
  // sorted ids: two hubs updating overlapping devices lock rows in the same order
  const ids = [...updates.keys()].sort()
  const us = ids.map((id) => updates.get(id)!)
  await tx.query(
    `UPDATE devices d SET last_seen = greatest(d.last_seen, u.seen), battery = coalesce(u.battery, d.battery),
       rssi = coalesce(u.rssi, d.rssi), status = coalesce(u.status, d.status),
       rejected_count = d.rejected_count + u.rejected
     FROM unnest($1::text[], $2::timestamptz[], $3::real[], $4::real[], $5::text[], $6::int[])
       AS u(id, seen, battery, rssi, status, rejected)
     WHERE d.id = u.id`,
    [
      ids,
      us.map((u) => u.seen),
      us.map((u) => u.battery),
      us.map((u) => u.rssi),
      us.map((u) => u.status),
      us.map((u) => u.rejected),
    ],
  )
}

export interface TelemetryWriterOptions {
  /** a device's row is written at most this often, unless something changed that matters (device-rows.ts) */
  deviceRowEveryMs?: number
  /** called when device rows are held back: a `flush` item is then due within `deviceRowEveryMs` */
  onHeld?: () => void
}

/**
 * The writer's function for the telemetry GroupCommitter. A batch of readings alone is one COPY, committed by
 * itself (a single statement is its own transaction); a batch that also writes rejects or device rows is one
 * transaction, and such batches commit in order, so a device's status is never overwritten by an older one.
 */
export function telemetryWriter(db: Db, metrics: Metrics, opts: TelemetryWriterOptions = {}) {
  const rows = new DeviceRows(opts.deviceRowEveryMs ?? 0)
  let rowTurn: Promise<void> = Promise.resolve()
  return async (items: StateItem[]): Promise<void> => {
    const started = process.hrtime.bigint()
    const readings = items.filter((i) => i.kind === 'reading')
    const rejects = items.filter((i) => i.kind === 'reject')
    const { due, carried } = rows.take(
      deviceUpdates(items),
      items.some((i) => i.kind === 'flush'),
    )
    if (rows.holding > 0) opts.onHeld?.()
    try {
      if (due.size === 0 && rejects.length === 0) await copyAlone(db, readings)
      else {
        const turn = rowTurn
        let done = () => {}
        rowTurn = new Promise((resolve) => (done = resolve))
        try {
          await turn
          await withTransaction(db, async (tx) => {
            await copyReadings(tx, readings)
            await insertRejects(
              tx,
              rejects.filter((i) => i.keep),
            )
            await updateDevices(tx, due)
          })
        } finally {
          done()
        }
      }
    } catch (err) {
      rows.failed(carried)
      throw err
    }
    rows.committed(due)
    metrics.commitSeconds.observe({ pipeline: 'telemetry' }, Number(process.hrtime.bigint() - started) / 1e9)
    metrics.batchSize.observe({ pipeline: 'telemetry' }, items.length)
    metrics.readingsWritten.inc(readings.length)
    if (readings.length > 0) metrics.messages.inc({ channel: 'telemetry' }, readings.length)
  }
}

/** Readings only: one COPY outside a transaction block, atomic as any single statement. */
async function copyAlone(db: Db, readings: readonly ReadingRow[]) {
  if (readings.length === 0) return
  const conn = await db.connect()
  try {
    await copyReadings(conn, readings)
  } finally {
    conn.release()
  }
}
