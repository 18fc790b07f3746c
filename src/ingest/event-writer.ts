import type { AlertRule, CanonicalEvent } from '../../devices/index.js'
import type { Bus } from '../bus.js'
import type { Alert } from '../core/alert.js'
import { alertTypeOf, decide } from '../core/alert-machine.js'
import { type Change, isChange, persistChanges, publishChanges } from '../core/alert-writer.js'
import { newId } from '../ids.js'
import type { Metrics } from '../metrics.js'
import { lockActiveAlerts } from '../store/alerts.js'
import { type Db, type Tx, withTransaction } from '../store/db.js'
import type { DeviceSession } from './session.js'

export interface IncomingEvent {
  device: DeviceSession
  event: CanonicalEvent
  rule: AlertRule
  receivedAt: Date
  payload: unknown
}

const key = (deviceId: string, type: string) => `${deviceId}\u0000${type}`

/** Stores new events; returns those not seen before (a retransmission reuses its id). */
async function insertFresh(tx: Tx, items: IncomingEvent[]): Promise<IncomingEvent[]> {
  const { rows } = await tx.query<{ device_id: string; event_id: string }>(
    `INSERT INTO events (device_id, event_id, type, state, device_ts, received_at, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
       $7::jsonb[])
     ON CONFLICT DO NOTHING RETURNING device_id, event_id`,
    [
      items.map((i) => i.device.id),
      items.map((i) => i.event.id),
      items.map((i) => i.event.type),
      items.map((i) => i.event.state),
      items.map((i) => i.event.ts),
      items.map((i) => i.receivedAt),
      items.map((i) => JSON.stringify(i.payload)),
    ],
  )
  const fresh = new Set(rows.map((r) => key(r.device_id, r.event_id)))
  // a retransmission inside the same batch appears twice in items but once in fresh
  return items.filter((i) => fresh.delete(key(i.device.id, i.event.id)))
}

async function abilityLevels(tx: Tx, deviceIds: string[]): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ id: string; level: number }>(
    `SELECT d.id, coalesce(r.ability_level, 0) AS level FROM devices d
     LEFT JOIN residents r ON r.id = d.resident_id WHERE d.id = ANY($1)`,
    [deviceIds],
  )
  return new Map(rows.map((r) => [r.id, r.level]))
}

/**
 * Writes a batch of device events in one transaction: dedupe by id, run each through the alert core in
 * arrival order (so repeats inside one batch fold too), persist, and publish the feed after commit.
 */
export function eventWriter(db: Db, bus: Bus, metrics: Metrics) {
  return async (items: IncomingEvent[]): Promise<void> => {
    const started = process.hrtime.bigint()
    const messages = await withTransaction(db, async (tx) => {
      const fresh = await insertFresh(tx, items)
      metrics.duplicates.inc(items.length - fresh.length)
      const relevant = fresh.filter((i) => alertTypeOf(i.rule) !== null)
      if (relevant.length === 0) return []
      const levels = await abilityLevels(tx, [...new Set(relevant.map((i) => i.device.id))])
      const pairs = relevant.map((i) => ({ deviceId: i.device.id, type: alertTypeOf(i.rule)! }))
      const active = new Map<string, Alert>(
        (await lockActiveAlerts(tx, pairs)).map((a) => [key(a.deviceId!, a.type), a]),
      )
      const now = new Date()
      const changes: Change[] = []
      for (const i of relevant) {
        const k = key(i.device.id, alertTypeOf(i.rule)!)
        const d = decide(
          active.get(k) ?? null,
          {
            kind: 'device-event',
            rule: i.rule,
            event: { ...i.event, receivedAt: i.receivedAt },
            source: {
              siteId: i.device.siteId,
              residentId: i.device.residentId,
              deviceId: i.device.id,
              abilityLevel: levels.get(i.device.id) ?? 0,
            },
            newId: newId('alr'),
          },
          now,
        )
        if (!isChange(d)) continue
        active.set(k, d.alert)
        changes.push(d)
      }
      return persistChanges(tx, changes)
    })
    metrics.commitSeconds.observe({ pipeline: 'events' }, Number(process.hrtime.bigint() - started) / 1e9)
    metrics.batchSize.observe({ pipeline: 'events' }, items.length)
    publishChanges(bus, metrics, messages)
  }
}
