import type { Queryable } from './db.js'

// The fire path's own entries in the fire-event log: a signal set aside (it could not be built or queued), one
// queued again by staff, and the pending signals a deleted monitoring centre took with it.

export async function recordSetAside(
  q: Queryable,
  entry: { siteId: string; alertId: string; reason: string; at: Date },
) {
  await q.query(
    `INSERT INTO fire_signal_log (site_id, at, kind, alert_id, reason)
     VALUES ($1, $2, 'signal-set-aside', $3, $4)`,
    [entry.siteId, entry.at, entry.alertId, entry.reason],
  )
}

/** Signals of an alert set aside since staff last queued one again: what a resend would make up for. */
export async function setAsideSinceResend(q: Queryable, alertId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM fire_signal_log
     WHERE alert_id = $1 AND kind = 'signal-set-aside' AND at > coalesce(
       (SELECT max(at) FROM fire_signal_log WHERE alert_id = $1 AND kind = 'signal-resent'), '-infinity')`,
    [alertId],
  )
  return rows[0]!.n
}

export async function recordResent(
  q: Queryable,
  entry: { siteId: string; alertId: string; actor: string; reason: string; at: Date },
) {
  await q.query(
    `INSERT INTO fire_signal_log (site_id, at, kind, alert_id, actor, reason)
     VALUES ($1, $2, 'signal-resent', $3, $4, $5)`,
    [entry.siteId, entry.at, entry.alertId, entry.actor, entry.reason],
  )
}

/**
 * Cancels every signal still queued for a centre and logs each one; returns how many. A delivery already in
 * flight is recorded by the outbox, and a failure never revives a cancelled notification.
 */
export async function cancelCentreSignals(
  q: Queryable,
  centre: { id: string; name: string },
  actor: string,
  at: Date,
): Promise<number> {
  const { rowCount } = await q.query(
    `WITH cancelled AS (
       UPDATE notifications SET state = 'cancelled', next_attempt_at = NULL, last_error = $4
       WHERE state = 'pending' AND target = 'fire-centre' AND recipient->>'centreId' = $1
       RETURNING id, alert_id, site_id)
     INSERT INTO fire_signal_log (site_id, at, kind, alert_id, notification_id, centre, actor, reason)
     SELECT site_id, $3, 'signal-cancelled', alert_id, id, $2, $5, $4 FROM cancelled WHERE site_id IS NOT NULL`,
    [centre.id, centre.name, at, `the monitoring centre ${centre.name} was deleted`, actor],
  )
  return rowCount ?? 0
}
