import type { AlertWork } from '../alerting/work.js'
import type { HubAlertSource } from '../core/alert-machine.js'
import type { Recorded } from '../notify/outbox.js'
import { SIGNAL_BUDGET_MS } from '../notify/outbox.js'
import { lockActiveHubAlert } from '../store/alerts.js'
import { recordLink } from '../store/centres.js'
import type { Tx } from '../store/db.js'

// What a centre's answers mean, in the transaction that records them: a receipt proves its link up (and ends a
// link-down alert); a heartbeat given up, or a fire signal still without receipt after GB 26875's 10 s, marks
// it down and raises an alert for the operators; the signal's own overdue alert is raised once.

export async function afterCentreAttempts(work: AlertWork, recorded: Recorded[]): Promise<void> {
  const { tx } = work
  const problems: HubAlertSource[] = []
  const restored = new Set<string>()
  for (const { before: n, now, result, finishedAt } of recorded) {
    const centreId = n.recipient.centreId
    if (n.target !== 'fire-centre' || !centreId) continue
    const overdue =
      !result.ok && n.critical && finishedAt.getTime() - n.createdAt.getTime() >= SIGNAL_BUDGET_MS
    const down = !result.ok && (now.state === 'failed' || overdue)
    if (!result.ok && !down) continue
    const previous = await recordLink(tx, centreId, result.ok, finishedAt)
    // a centre deleted while this attempt was in flight has no link left to report on
    if (previous === null) continue
    if (result.ok && previous === 'down' && n.siteId) restored.add(n.siteId)
    if (down && previous !== 'down') {
      problems.push({
        alertType: 'centre-link-down',
        siteId: n.siteId,
        residentId: null,
        relatedAlertId: null,
        data: { centre: n.recipient.name, centreId, error: result.ok ? null : result.error },
      })
    }
    if (overdue && n.alertId && (await markOverdue(tx, n.id))) {
      problems.push({
        alertType: 'delivery-failure',
        siteId: n.siteId,
        residentId: null,
        relatedAlertId: n.alertId,
        data: { notificationId: n.id, centre: n.recipient.name, error: result.ok ? null : result.error },
      })
    }
  }
  work.raise(...problems)
  for (const siteId of restored) {
    const open = await lockActiveHubAlert(tx, 'centre-link-down', siteId)
    if (open) work.decide(open, { kind: 'resolve', actor: 'hub', outcome: 'restored' })
  }
}

/** True the first time: the signal's delivery-failure alert is raised once. */
async function markOverdue(tx: Tx, notificationId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    'UPDATE notifications SET overdue_raised = true WHERE id = $1 AND NOT overdue_raised',
    [notificationId],
  )
  return (rowCount ?? 0) > 0
}
