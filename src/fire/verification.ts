import type { Queryable } from '../store/db.js'

// The positive alarm sequence of an unconfirmed fire alarm, as rows: staff acknowledge within the ack window,
// investigate within the investigation window, or the alarm is treated as confirmed. due_at is the next
// moment the hub must look at it; NULL once it is confirmed, marked false or resolved.

export interface Windows {
  /** a second detector in the zone within this long confirms the fire */
  confirmMs: number
  ackMs: number
  investigateMs: number
}

export async function startVerification(
  q: Queryable,
  alertId: string,
  siteId: string,
  zone: string | null,
  openedAt: Date,
  w: Windows,
) {
  const ackDue = new Date(openedAt.getTime() + w.ackMs)
  await q.query(
    `INSERT INTO fire_verifications (alert_id, site_id, zone, due_at, ack_due, investigate_due)
     VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT DO NOTHING`,
    [alertId, siteId, zone ?? `device:${alertId}`, ackDue, new Date(openedAt.getTime() + w.investigateMs)],
  )
}

/**
 * Another unresolved fire alarm in the same zone opened within the window, if any. A verification row whose
 * alert row is not there yet belongs to an alarm opening in this same transaction (the alert is written last).
 */
export async function zoneNeighbour(
  q: Queryable,
  siteId: string,
  zone: string,
  alertId: string,
  since: Date,
) {
  const { rows } = await q.query<{ alert_id: string }>(
    `SELECT v.alert_id FROM fire_verifications v LEFT JOIN alerts a ON a.id = v.alert_id
     WHERE v.site_id = $1 AND v.zone = $2 AND v.alert_id <> $3
       AND (a.id IS NULL OR (a.state <> 'resolved' AND a.opened_at >= $4))
     ORDER BY a.opened_at NULLS LAST LIMIT 1`,
    [siteId, zone, alertId, since],
  )
  return rows[0]?.alert_id ?? null
}

/**
 * Records a confirmation; true if it is the first in its zone among unresolved alarms (fire-confirmed is
 * sent once per zone).
 */
export async function recordConfirmed(q: Queryable, alertId: string, at: Date): Promise<boolean> {
  const { rows } = await q.query<{ first: boolean }>(
    `WITH me AS (
       UPDATE fire_verifications SET confirmed_at = coalesce(confirmed_at, $2), due_at = NULL
       WHERE alert_id = $1 RETURNING site_id, zone
     )
     SELECT NOT EXISTS (
       SELECT 1 FROM fire_verifications v LEFT JOIN alerts a ON a.id = v.alert_id, me
       WHERE v.site_id = me.site_id AND v.zone = me.zone AND v.alert_id <> $1 AND v.confirmed_at IS NOT NULL
         AND (a.id IS NULL OR a.state <> 'resolved')
     ) AS first FROM me`,
    [alertId, at],
  )
  // an alarm without a verification row (not at an institution) is its own zone
  return rows[0]?.first ?? true
}

export async function recordFalseAlarm(q: Queryable, alertId: string, at: Date) {
  await q.query('UPDATE fire_verifications SET false_alarm_at = $2, due_at = NULL WHERE alert_id = $1', [
    alertId,
    at,
  ])
}

/** Acknowledged within the ack window: the investigation window now runs. */
export async function recordAcknowledged(q: Queryable, alertId: string, at: Date) {
  await q.query(
    `UPDATE fire_verifications SET due_at = investigate_due
     WHERE alert_id = $1 AND due_at IS NOT NULL AND $2 <= ack_due`,
    [alertId, at],
  )
}

export interface DueVerification {
  alertId: string
  ackDue: Date
  investigateDue: Date
}

/** Claims verifications whose window ran out by `now` (SKIP LOCKED: once across hubs) and ends them. */
export async function claimDueVerifications(
  q: Queryable,
  limit: number,
  now: Date,
): Promise<DueVerification[]> {
  const { rows } = await q.query<{ alert_id: string; ack_due: Date; investigate_due: Date }>(
    `UPDATE fire_verifications v SET due_at = NULL
     FROM (SELECT alert_id FROM fire_verifications WHERE due_at <= $2 ORDER BY due_at LIMIT $1
           FOR UPDATE SKIP LOCKED) d
     WHERE v.alert_id = d.alert_id RETURNING v.alert_id, v.ack_due, v.investigate_due`,
    [limit, now],
  )
  return rows.map((r) => ({ alertId: r.alert_id, ackDue: r.ack_due, investigateDue: r.investigate_due }))
}

export async function nextVerificationDue(q: Queryable): Promise<Date | null> {
  const { rows } = await q.query<{ due: Date | null }>(
    'SELECT min(due_at) AS due FROM fire_verifications WHERE due_at IS NOT NULL',
  )
  return rows[0]?.due ?? null
}
