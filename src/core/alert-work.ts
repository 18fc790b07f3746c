import type { Bus } from '../bus.js'
import type { LiveMessage } from '../contract/live.js'
import type { Metrics } from '../metrics.js'
import { type Db, type Tx, withTransaction } from '../store/db.js'
import type { HubAlertSource } from './alert-machine.js'
import { type Change, persistChanges, publishChanges } from './alert-writer.js'
import { decideHubAlerts } from './hub-alerts.js'

// A transaction that changes alerts in the background (escalation steps, fire verification, supervision):
// the work collects decisions and the hub-raised alerts it needs; they are written last, in one statement, so
// the feed's counter row is locked only from there to the commit; the feed is published after the commit.

export interface AlertWork {
  changes: Change[]
  problems: HubAlertSource[]
}

export async function commitAlertWork<T>(
  deps: { db: Db; bus: Bus; metrics: Metrics },
  fn: (tx: Tx, work: AlertWork) => Promise<T>,
): Promise<{ result: T; messages: LiveMessage[] }> {
  const out = await withTransaction(deps.db, async (tx) => {
    const work: AlertWork = { changes: [], problems: [] }
    const result = await fn(tx, work)
    work.changes.push(...(await decideHubAlerts(tx, work.problems, new Date())))
    return { result, messages: await persistChanges(tx, work.changes) }
  })
  publishChanges(deps.bus, deps.metrics, out.messages)
  return out
}
