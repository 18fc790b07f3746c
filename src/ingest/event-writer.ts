import type { AlertRule, CanonicalEvent } from '../../devices/index.js'
import type { AlertRunner } from '../alerting/runner.js'
import type { Alert } from '../core/alert.js'
import { alertTypeOf, isChange } from '../core/alert-machine.js'
import type { Metrics } from '../metrics.js'
import { lockActiveAlerts } from '../store/alerts.js'
import type { Tx } from '../store/db.js'
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
 * Writes a batch of device events in one runner transaction: drop retransmissions (src/store/events.ts), run
 * each through the alert core in arrival order (so repeats inside one batch fold too); the runner persists and
 * publishes after commit.
 */
export function eventWriter(alerts: AlertRunner, metrics: Metrics, dedupeWindowMs: number) {
  return async (items: IncomingEvent[]): Promise<void> => {
    const started = process.hrtime.bigint()
    await alerts.run(async (work) => {
      const { fresh, level: levels } = await insertFresh(work.tx, items, dedupeWindowMs)
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
