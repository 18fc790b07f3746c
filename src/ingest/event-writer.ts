import type { AlertRule, CanonicalEvent } from '../../devices/index.js'
import type { Bus } from '../bus.js'
import type { Alert } from '../core/alert.js'
import { alertTypeOf, decide } from '../core/alert-machine.js'
import { type Change, isChange, persistChanges, publishChanges } from '../core/alert-writer.js'
import { newId } from '../ids.js'
import type { Metrics } from '../metrics.js'
import { lockActiveAlerts } from '../store/alerts.js'
import { type Db, type Tx, withTransaction } from '../store/db.js'
import { insertFreshEvents } from '../store/events.js'
import type { DeviceSession } from './session.js'

export interface IncomingEvent {
  device: DeviceSession
  event: CanonicalEvent
  rule: AlertRule
  receivedAt: Date
  payload: unknown
}

const key = (deviceId: string, type: string) => `${deviceId}\u0000${type}`

/** Stores new events and returns those that are not retransmissions, with each resident's ability level. */
async function insertFresh(tx: Tx, items: IncomingEvent[], dedupeWindowMs: number) {
  const rows = items.map((i) => ({
    deviceId: i.device.id,
    eventId: i.event.id,
    type: i.event.type,
    state: i.event.state,
    deviceTs: i.event.ts,
    receivedAt: i.receivedAt,
    payload: i.payload,
  }))
  const { fresh, level } = await insertFreshEvents(tx, rows, dedupeWindowMs)
  return { fresh: items.filter((_, n) => fresh.has(n)), level }
}

/**
 * Writes a batch of device events in one transaction: drop retransmissions (src/store/events.ts), run each
 * through the alert core in arrival order (so repeats inside one batch fold too), persist, and publish the
 * feed after commit.
 */
export function eventWriter(db: Db, bus: Bus, metrics: Metrics, dedupeWindowMs: number) {
  return async (items: IncomingEvent[]): Promise<void> => {
    const started = process.hrtime.bigint()
    const messages = await withTransaction(db, async (tx) => {
      const { fresh, level: levels } = await insertFresh(tx, items, dedupeWindowMs)
      metrics.duplicates.inc(items.length - fresh.length)
      const relevant = fresh.filter((i) => alertTypeOf(i.rule) !== null)
      if (relevant.length === 0) return []
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
