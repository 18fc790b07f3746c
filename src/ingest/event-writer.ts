import type { AlertRule, CanonicalEvent } from '../../devices/index.js'
import type { AlertRunner } from '../alerting/runner.js'
import type { Alert } from '../core/alert.js'
import { alertTypeOf, isChange } from '../core/alert-machine.js'
import type { Metrics } from '../metrics.js'
import { lockActiveAlerts } from '../store/alerts.js'
import type { Tx } from '../store/db.js'
import type { DeviceSession } from './session.js'

export interface IncomingEvent {
  device: DeviceSession
  event: CanonicalEvent
  rule: AlertRule
  receivedAt: Date
  payload: unknown
}

const key = (deviceId: string, type: string) => `${deviceId}\u0000${type}`

/**
 * Stores new events and returns those not seen before (a retransmission reuses its id), with the
 * resident's current ability level: one round trip.
 */
async function insertFresh(tx: Tx, items: IncomingEvent[]) {
  const { rows } = await tx.query<{ device_id: string; event_id: string; level: number }>(
    `WITH fresh AS (
       INSERT INTO events (device_id, event_id, type, state, device_ts, received_at, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
         $6::timestamptz[], $7::jsonb[])
       ON CONFLICT DO NOTHING RETURNING device_id, event_id)
     SELECT f.device_id, f.event_id, coalesce(r.ability_level, 0) AS level FROM fresh f
     JOIN devices d ON d.id = f.device_id LEFT JOIN residents r ON r.id = d.resident_id`,
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
  const stored = new Set(rows.map((r) => key(r.device_id, r.event_id)))
  // a retransmission inside the same batch appears twice in items but once in rows
  const fresh = items.filter((i) => stored.delete(key(i.device.id, i.event.id)))
  return { fresh, level: new Map(rows.map((r) => [r.device_id, r.level])) }
}

/**
 * Writes a batch of device events in one runner transaction: dedupe by id, run each through the alert core
 * in arrival order (so repeats inside one batch fold too); the runner persists and publishes after commit.
 */
export function eventWriter(alerts: AlertRunner, metrics: Metrics) {
  return async (items: IncomingEvent[]): Promise<void> => {
    const started = process.hrtime.bigint()
    await alerts.run(async (work) => {
      const { fresh, level: levels } = await insertFresh(work.tx, items)
      metrics.duplicates.inc(items.length - fresh.length)
      const relevant = fresh.filter((i) => alertTypeOf(i.rule) !== null)
      if (relevant.length === 0) return
      const pairs = relevant.map((i) => ({ deviceId: i.device.id, type: alertTypeOf(i.rule)! }))
      const active = new Map<string, Alert>(
        (await lockActiveAlerts(work.tx, pairs)).map((a) => [key(a.deviceId!, a.type), a]),
      )
      for (const i of relevant) {
        const k = key(i.device.id, alertTypeOf(i.rule)!)
        const d = work.decide(active.get(k) ?? null, {
          kind: 'device-event',
          rule: i.rule,
          event: { ...i.event, receivedAt: i.receivedAt },
          source: {
            siteId: i.device.siteId,
            residentId: i.device.residentId,
            deviceId: i.device.id,
            abilityLevel: levels.get(i.device.id) ?? 0,
          },
          newId: work.newId('alr'),
        })
        if (isChange(d)) active.set(k, d.alert)
      }
    })
    metrics.commitSeconds.observe({ pipeline: 'events' }, Number(process.hrtime.bigint() - started) / 1e9)
    metrics.batchSize.observe({ pipeline: 'events' }, items.length)
  }
}
