import { alertJson } from '../contract/alert-json.js'
import type { LiveMessage } from '../contract/live.js'
import type { Change } from '../core/alert-machine.js'
import { cancelQueuedNotifications, writeAlertChanges } from '../store/alert-writes.js'
import type { Queryable } from '../store/db.js'

/**
 * Performs the core's decisions inside the runner's transaction: the alert rows (final state of each), the
 * audit trail (every entry still in a history; a folded repeat replaces the one before it) and one live-feed
 * message per decision, in one statement.
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
  // a repeat folded by a later change of this batch is never written; one folded from before is replaced
  const entries = changes.flatMap((c) => c.entries.map((entry) => ({ alertId: c.alert.id, entry })))
  const foldedHere = new Set(changes.flatMap((c) => (c.folded ? [c.folded] : [])))
  const written = new Set(entries.map((e) => e.entry))
  const latest = [...new Map(changes.map((c) => [c.alert.id, c.alert])).values()]
  return writeAlertChanges(tx, {
    inserted: latest.filter((a) => opened.has(a.id)),
    updated: latest.filter((a) => !opened.has(a.id)),
    entries: entries.filter((e) => !foldedHere.has(e.entry)),
    folded: [...new Set(changes.filter((c) => c.folded && !written.has(c.folded)).map((c) => c.alert.id))],
    feed: changes.map((c) => ({
      kind: c.effect === 'opened' ? 'alert.opened' : 'alert.updated',
      data: alertJson(c.alert),
    })),
  })
}
