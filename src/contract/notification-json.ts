import type { Notification } from '../store/notifications.js'

// A notification as the API and the live feed show it: where it went and what the receiver confirmed.
// Secrets never leave the hub: a webhook address shows its URL only.

const iso = (d: Date | null) => (d ? d.toISOString() : null)

function destination(a: Notification['address']): string | null {
  if (a.channel === 'webhook' || a.channel === 'centre') return a.url
  if (a.channel === 'email') return a.email
  if (a.channel === 'sms') return a.phone
  return null
}

export function notificationJson(n: Notification) {
  return {
    id: n.id,
    alertId: n.alertId,
    siteId: n.siteId,
    step: n.step,
    stepName: n.stepName,
    iteration: n.iteration,
    reason: n.reason,
    target: n.target,
    recipient: n.recipient,
    channel: n.channel,
    to: destination(n.address),
    state: n.state,
    critical: n.critical,
    attempts: n.attempts,
    receipt: n.receipt,
    lastError: n.lastError,
    createdAt: n.createdAt.toISOString(),
    nextAttemptAt: iso(n.nextAttemptAt),
    deadlineAt: n.deadlineAt.toISOString(),
    deliveredAt: iso(n.deliveredAt),
    acknowledgedAt: iso(n.acknowledgedAt),
  }
}

export type NotificationJson = ReturnType<typeof notificationJson>
