import type { Bus } from '../bus.js'
import type { Alert } from '../core/alert.js'
import { decide } from '../core/alert-machine.js'
import { isChange, persistChanges, publishChanges } from '../core/alert-writer.js'
import { HubError, notFound } from '../errors.js'
import type { Metrics } from '../metrics.js'
import { getAlert } from '../store/alerts.js'
import { type Db, withTransaction } from '../store/db.js'

// Staff confirm a fire or mark a false alarm (each at most once per alarm). The forwarder reads the change
// from the feed and sends the centres "fire-confirmed" or "false-alarm".

export async function markFire(
  db: Db,
  bus: Bus,
  metrics: Metrics,
  alertId: string,
  mark: 'fire-confirmed' | 'false-alarm',
  actor: string,
  note: string | undefined,
  visible: (a: Alert) => boolean,
): Promise<Alert> {
  const { alert, messages } = await withTransaction(db, async (tx) => {
    const current = await getAlert(tx, alertId, true)
    if (!current || !visible(current)) throw notFound('alert', alertId)
    if (current.priority !== 1) throw new HubError('HUB_ERR_CONFLICT', `alert ${alertId} is not a fire alarm`)
    const d = decide(current, { kind: 'fire-mark', mark, actor, note, data: {} }, new Date())
    if (d.effect === 'conflict') throw new HubError('HUB_ERR_CONFLICT', d.message)
    if (!isChange(d)) return { alert: current, messages: [] }
    return { alert: d.alert, messages: await persistChanges(tx, [d]) }
  })
  publishChanges(bus, metrics, messages)
  return alert
}
