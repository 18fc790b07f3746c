import type { Bus } from '../bus.js'
import { alertJson } from '../contract/alert-json.js'
import type { LiveMessage } from '../contract/live.js'
import type { Metrics } from '../metrics.js'
import { cancelQueuedNotifications, writeAlertChanges } from '../store/alert-writes.js'
import type { Queryable } from '../store/db.js'
import type { Decision } from './alert-machine.js'

export type Change = Extract<Decision, { effect: 'opened' | 'updated' }>

export const isChange = (d: Decision): d is Change => d.effect === 'opened' || d.effect === 'updated'

/**
 * Performs the core's decisions inside the caller's transaction: the alert rows (final state of each), the
 * audit trail (every entry) and one live-feed message per decision, in one statement.
 */
export async function persistChanges(tx: Queryable, changes: Change[]): Promise<LiveMessage[]> {
  if (changes.length === 0) return []
  await cancelQueuedNotifications(
    tx,
    changes
      .filter((c) => c.entries.some((e) => e.kind === 'acknowledged' || e.kind === 'resolved'))
      .map((c) => c.alert.id),
  )
  const opened = new Set(changes.filter((c) => c.effect === 'opened').map((c) => c.alert.id))
  const latest = [...new Map(changes.map((c) => [c.alert.id, c.alert])).values()]
  return writeAlertChanges(tx, {
    inserted: latest.filter((a) => opened.has(a.id)),
    updated: latest.filter((a) => !opened.has(a.id)),
    entries: changes.flatMap((c) => c.entries.map((entry) => ({ alertId: c.alert.id, entry }))),
    feed: changes.map((c) => ({
      kind: c.effect === 'opened' ? 'alert.opened' : 'alert.updated',
      data: alertJson(c.alert),
    })),
  })
}

/** After commit: hand each stored message to the bus, in seq order. */
export function publishChanges(bus: Bus, metrics: Metrics, messages: LiveMessage[]) {
  for (const m of messages) {
    metrics.alertChanges.inc({ kind: m.kind })
    bus.emit('live', m)
  }
}
