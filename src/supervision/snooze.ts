import type { AlertRunner } from '../alerting/runner.js'
import { HubError, notFound } from '../errors.js'
import { getAlert } from '../store/alerts.js'
import type { Tx } from '../store/db.js'

// Snoozing a technical alert (a flat battery the caretaker will replace on Monday): the operator says how
// long; the alert stays open and keeps folding repeats, a `snoozed` history entry records who, until when
// and why, and its escalation waits until then (a step due earlier is moved to the snooze's end).

export const MAX_SNOOZE_MS = 7 * 86_400_000

async function postponeEscalation(tx: Tx, alertId: string, until: Date) {
  await tx.query(
    `UPDATE alert_escalations SET next_due_at = greatest(next_due_at, $2)
     WHERE alert_id = $1 AND next_due_at IS NOT NULL`,
    [alertId, until],
  )
}

export async function snoozeAlert(
  alerts: AlertRunner,
  alertId: string,
  o: { actor: string; forMs: number; note?: string },
) {
  const { result } = await alerts.run(async (work) => {
    const current = await getAlert(work.tx, alertId, true)
    if (!current) throw notFound('alert', alertId)
    const until = new Date(work.now.getTime() + o.forMs)
    const d = work.decide(current, { kind: 'snooze', actor: o.actor, until, note: o.note })
    if (d.effect === 'conflict') throw new HubError('HUB_ERR_CONFLICT', d.message)
    await postponeEscalation(work.tx, alertId, until)
    return d.alert!
  })
  return result
}
