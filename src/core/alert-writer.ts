import type { Bus } from '../bus.js'
import { alertJson } from '../contract/alert-json.js'
import type { LiveMessage } from '../contract/live.js'
import type { Metrics } from '../metrics.js'
import { appendHistory, insertAlerts, updateAlerts } from '../store/alerts.js'
import type { Queryable } from '../store/db.js'
import { appendFeed } from '../store/feed.js'
import type { Decision } from './alert-machine.js'

export type Change = Extract<Decision, { effect: 'opened' | 'updated' }>

export const isChange = (d: Decision): d is Change => d.effect === 'opened' || d.effect === 'updated'

/**
 * Performs the core's decisions inside the caller's transaction: the alert rows (final state of each), the
 * audit trail (every entry) and one live-feed message per decision, stored last (see appendFeed).
 */
export async function persistChanges(tx: Queryable, changes: Change[]): Promise<LiveMessage[]> {
  const opened = new Set(changes.filter((c) => c.effect === 'opened').map((c) => c.alert.id))
  const latest = new Map(changes.map((c) => [c.alert.id, c.alert]))
  await insertAlerts(
    tx,
    [...latest.values()].filter((a) => opened.has(a.id)),
  )
  await updateAlerts(
    tx,
    [...latest.values()].filter((a) => !opened.has(a.id)),
  )
  await appendHistory(
    tx,
    changes.flatMap((c) => c.entries.map((entry) => ({ alertId: c.alert.id, entry }))),
  )
  return appendFeed(
    tx,
    changes.map((c) => ({
      kind: c.effect === 'opened' ? 'alert.opened' : 'alert.updated',
      data: alertJson(c.alert),
    })),
  )
}

/** After commit: hand each stored message to the bus, in seq order. */
export function publishChanges(bus: Bus, metrics: Metrics, messages: LiveMessage[]) {
  for (const m of messages) {
    metrics.alertChanges.inc({ kind: m.kind })
    bus.emit('live', m)
  }
}
