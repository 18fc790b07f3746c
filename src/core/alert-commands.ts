import type { Bus } from '../bus.js'
import { HubError, notFound } from '../errors.js'
import type { Metrics } from '../metrics.js'
import { getAlert } from '../store/alerts.js'
import { type Db, withTransaction } from '../store/db.js'
import type { Alert } from './alert.js'
import { type AlertInput, decide } from './alert-machine.js'
import { isChange, persistChanges, publishChanges } from './alert-writer.js'

/** An operator's ack, recorded action or resolve: lock the alert, let the core decide, persist, publish after commit. */
export async function runAlertCommand(
  db: Db,
  bus: Bus,
  metrics: Metrics,
  alertId: string,
  input: Extract<AlertInput, { kind: 'ack' | 'action' | 'resolve' }>,
): Promise<Alert> {
  const { alert, messages, firstAck } = await withTransaction(db, async (tx) => {
    const current = await getAlert(tx, alertId, true)
    if (!current) throw notFound('alert', alertId)
    const d = decide(current, input, new Date())
    if (d.effect === 'conflict') throw new HubError('HUB_ERR_CONFLICT', d.message)
    if (!isChange(d)) return { alert: current, messages: [], firstAck: false }
    const firstAck = current.acknowledgedAt === null && d.alert.acknowledgedAt !== null
    return { alert: d.alert, messages: await persistChanges(tx, [d]), firstAck }
  })
  if (firstAck) {
    const seconds = (alert.acknowledgedAt!.getTime() - alert.openedAt.getTime()) / 1000
    metrics.timeToAck.observe({ priority: String(alert.priority) }, seconds)
  }
  publishChanges(bus, metrics, messages)
  return alert
}
