import type { AlertRunner } from '../alerting/runner.js'
import type { Alert } from '../core/alert.js'
import { HubError, notFound } from '../errors.js'

// Staff confirm a fire or mark a false alarm (each at most once per alarm). The forwarder reads the change
// from the feed and sends the centres "fire-confirmed" or "false-alarm".

export function markFire(
  alerts: AlertRunner,
  alertId: string,
  mark: 'fire-confirmed' | 'false-alarm',
  actor: string,
  note: string | undefined,
  visible: (a: Alert) => boolean,
): Promise<Alert> {
  return alerts.command(alertId, { kind: 'fire-mark', mark, actor, note, data: {} }, (current) => {
    if (!visible(current)) throw notFound('alert', alertId)
    if (current.priority !== 1) throw new HubError('HUB_ERR_CONFLICT', `alert ${alertId} is not a fire alarm`)
  })
}
