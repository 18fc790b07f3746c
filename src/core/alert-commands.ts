import type { Bus } from '../bus.js'
import { HubError, notFound } from '../errors.js'
import type { Metrics } from '../metrics.js'
import { getAlert } from '../store/alerts.js'
import { type Db, withTransaction } from '../store/db.js'
import type { Alert } from './alert.js'
import { type AlertInput, decide } from './alert-machine.js'
import { isChange, persistChanges, publishChanges } from './alert-writer.js'

/** An operator's ack or resolve: lock the alert, let the core decide, persist, publish after commit. */
export async function runAlertCommand(
  db: Db,
  bus: Bus,
  metrics: Metrics,
  alertId: string,
  input: Extract<AlertInput, { kind: 'ack' | 'resolve' }>,
): Promise<Alert> {
  const { alert, messages } = await withTransaction(db, async (tx) => {
    const current = await getAlert(tx, alertId, true)
    if (!current) throw notFound('alert', alertId)
    const d = decide(current, input, new Date())
    if (d.effect === 'conflict') throw new HubError('HUB_ERR_CONFLICT', d.message)
    if (!isChange(d)) return { alert: current, messages: [] }
    return { alert: d.alert, messages: await persistChanges(tx, [d]) }
  })
  publishChanges(bus, metrics, messages)
  return alert
}
