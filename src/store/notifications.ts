import type { CentreAddress, FireSignal } from '../fire/signal.js'
import type { Address, ChannelName, NotificationMessage, NotificationReason } from '../notify/channel.js'
import type { Queryable } from './db.js'

// The notification outbox: rows written in the transaction of the change that causes them, claimed by the
// worker with a lease, completed with a recorded attempt. One module per operation, as graphile-worker does.

export type NotificationState = 'pending' | 'delivered' | 'failed' | 'cancelled'
export type TargetName = 'call-centre' | 'duty-staff' | 'family' | 'supervisor' | 'user' | 'fire-centre'

export interface RecipientInfo {
  name: string
  language: 'zh-CN' | 'en'
  userId?: string | null
  shiftId?: string | null
  /** index in the resident's contacts, for family members */
  contact?: number
  /** the monitoring centre a fire signal goes to */
  centreId?: string
}

export interface NewNotification {
  id: string
  /** null for a centre's link heartbeat, which concerns no alert */
  alertId: string | null
  siteId: string | null
  step: number
  stepName: string
  iteration: number
  reason: NotificationReason | 'signal'
  target: TargetName
  recipient: RecipientInfo
  channel: ChannelName | 'live' | 'centre'
  address: Address | CentreAddress | { channel: 'live' }
  /** a fire signal to a monitoring centre, or the message every other channel sends */
  message: NotificationMessage | FireSignal
  critical: boolean
  createdAt: Date
  deadlineAt: Date
  /** the live channel is delivered by the commit that writes it */
  delivered: boolean
}

export interface Notification extends Omit<NewNotification, 'delivered'> {
  state: NotificationState
  attempts: number
  nextAttemptAt: Date | null
  receipt: string | null
  lastError: string | null
  deliveredAt: Date | null
  acknowledgedAt: Date | null
}

const COLUMNS = `id, alert_id, site_id, step, step_name, iteration, reason, target, recipient, channel, address,
  message, state, critical, attempts, next_attempt_at, deadline_at, receipt, last_error, created_at,
  delivered_at, acknowledged_at`

export function toNotification(r: Record<string, unknown>): Notification {
  return {
    id: r.id as string,
    alertId: r.alert_id as string | null,
    siteId: r.site_id as string | null,
    step: r.step as number,
    stepName: r.step_name as string,
    iteration: r.iteration as number,
    reason: r.reason as Notification['reason'],
    target: r.target as TargetName,
    recipient: r.recipient as RecipientInfo,
    channel: r.channel as Notification['channel'],
    address: r.address as Notification['address'],
    message: r.message as Notification['message'],
    state: r.state as NotificationState,
    critical: r.critical as boolean,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as Date | null,
    deadlineAt: r.deadline_at as Date,
    receipt: r.receipt as string | null,
    lastError: r.last_error as string | null,
    createdAt: r.created_at as Date,
    deliveredAt: r.delivered_at as Date | null,
    acknowledgedAt: r.acknowledged_at as Date | null,
  }
}

/** Queues notifications (live ones are stored as delivered); returns them as stored. */
export async function insertNotifications(q: Queryable, ns: NewNotification[]): Promise<Notification[]> {
  if (ns.length === 0) return []
  const col = <K extends keyof NewNotification>(k: K) => ns.map((n) => n[k])
  const json = <K extends keyof NewNotification>(k: K) => ns.map((n) => JSON.stringify(n[k]))
  const { rows } = await q.query(
    `INSERT INTO notifications (id, alert_id, site_id, step, step_name, iteration, reason, target, recipient,
       channel, address, message, critical, created_at, deadline_at, state, receipt, delivered_at,
       next_attempt_at)
     SELECT id, a, s, st, sn, it, re, ta, rc, ch, ad, me, cr, c, dl,
       CASE WHEN d THEN 'delivered' ELSE 'pending' END, CASE WHEN d THEN 'on the live feed' END,
       CASE WHEN d THEN c END, CASE WHEN d THEN NULL ELSE c END
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[],
       $9::jsonb[], $10::text[], $11::jsonb[], $12::jsonb[], $13::boolean[], $14::timestamptz[],
       $15::timestamptz[], $16::boolean[]) AS u(id, a, s, st, sn, it, re, ta, rc, ch, ad, me, cr, c, dl, d)
     RETURNING ${COLUMNS}`,
    [
      col('id'),
      col('alertId'),
      col('siteId'),
      col('step'),
      col('stepName'),
      col('iteration'),
      col('reason'),
      col('target'),
      json('recipient'),
      col('channel'),
      json('address'),
      json('message'),
      col('critical'),
      col('createdAt'),
      col('deadlineAt'),
      col('delivered'),
    ],
  )
  const order = new Map(ns.map((n, i) => [n.id, i]))
  return rows.map(toNotification).sort((a, b) => order.get(a.id)! - order.get(b.id)!)
}

/** Where a notification goes, for the per-receiver bound: a URL's origin (webhook, centre), else its channel. */
const RECEIVER = "coalesce(substring(address->>'url' from '^[^:/]+://[^/?#]+'), channel)"

export interface ClaimRequest {
  /** at most this many */
  limit: number
  leaseMs: number
  /** the lane: fire-centre signals (critical) have their own, so they never wait behind family notifications */
  critical: boolean
  /** at most this many in flight to one receiver */
  perReceiver: number
  /** what is in flight now, by receiver */
  inFlight: ReadonlyMap<string, number>
}

export type Claimed = Notification & { receiver: string }

/**
 * Claims due notifications of one lane, oldest first, in one statement, never more to one receiver than it has
 * room for. The claim moves next_attempt_at to the end of a lease, so no other worker takes the row while this
 * one sends (outside any transaction). It commits asynchronously (no wait for the WAL flush): a claim lost in a
 * crash only makes the notification due again, and it is sent again with the same id, which receivers drop
 * (CONTRACT.md, webhook-id); the attempt record commits synchronously, and its WAL flush covers the claim.
 */
export async function claimDueNotifications(q: Queryable, r: ClaimRequest): Promise<Claimed[]> {
  const { rows } = await q.query(
    `WITH lazy AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)),
     due AS (
       SELECT id, next_attempt_at, ${RECEIVER} AS receiver FROM notifications
       WHERE state = 'pending' AND channel <> 'live' AND critical = $3 AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 * 4 FOR UPDATE SKIP LOCKED
     ), ranked AS (
       SELECT *, row_number() OVER (PARTITION BY receiver ORDER BY next_attempt_at, id) AS rank FROM due
     ), chosen AS (
       SELECT ranked.id, ranked.receiver FROM ranked
       LEFT JOIN unnest($5::text[], $6::int[]) AS busy(receiver, n) USING (receiver)
       WHERE rank <= $4 - coalesce(busy.n, 0) ORDER BY next_attempt_at, id LIMIT $1
     )
     UPDATE notifications n SET next_attempt_at = now() + $2 * interval '1 millisecond', attempts = attempts + 1
     FROM chosen, lazy WHERE n.id = chosen.id
     RETURNING ${COLUMNS.replace(/(\w+)/g, 'n.$1')}, chosen.receiver`,
    [r.limit, r.leaseMs, r.critical, r.perReceiver, [...r.inFlight.keys()], [...r.inFlight.values()]],
  )
  return rows.map((row) => ({ ...toNotification(row), receiver: row.receiver as string }))
}

export interface AttemptOutcome {
  notification: Notification
  startedAt: Date
  finishedAt: Date
  ok: boolean
  receipt?: string
  error?: string
  /** when to try again; null = give up (dead letter) */
  retryAt: Date | null
}

/**
 * Records attempts and moves each notification on, in one statement. A delivery is recorded even if an ack
 * cancelled the notification while it was in flight (the receiver did get it); a failure never revives a
 * cancelled one. Returns the notifications as they now stand.
 */
export async function completeAttempts(q: Queryable, outcomes: AttemptOutcome[]): Promise<Notification[]> {
  if (outcomes.length === 0) return []
  const { rows } = await q.query(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::boolean[],
         $6::text[], $7::text[], $8::timestamptz[]) AS i(id, attempt, started, finished, ok, receipt, error, retry_at)
     ), attempt AS (
       INSERT INTO notification_attempts (notification_id, attempt, started_at, finished_at, ok, receipt, error)
       SELECT id, attempt, started, finished, ok, receipt, error FROM input
     )
     UPDATE notifications n SET
       state = CASE WHEN i.ok THEN 'delivered' WHEN n.state <> 'pending' THEN n.state
                    WHEN i.retry_at IS NULL THEN 'failed' ELSE 'pending' END,
       receipt = CASE WHEN i.ok THEN i.receipt ELSE n.receipt END,
       delivered_at = CASE WHEN i.ok THEN i.finished ELSE n.delivered_at END,
       last_error = CASE WHEN i.ok THEN n.last_error ELSE i.error END,
       next_attempt_at = CASE WHEN NOT i.ok AND n.state = 'pending' THEN i.retry_at END
     FROM input i WHERE n.id = i.id RETURNING ${COLUMNS.replace(/(\w+)/g, 'n.$1')}`,
    [
      outcomes.map((o) => o.notification.id),
      outcomes.map((o) => o.notification.attempts),
      outcomes.map((o) => o.startedAt),
      outcomes.map((o) => o.finishedAt),
      outcomes.map((o) => o.ok),
      outcomes.map((o) => o.receipt ?? null),
      outcomes.map((o) => o.error ?? null),
      outcomes.map((o) => o.retryAt),
    ],
  )
  const order = new Map(outcomes.map((o, i) => [o.notification.id, i]))
  return rows.map(toNotification).sort((a, b) => order.get(a.id)! - order.get(b.id)!)
}

/** Cancels the queued notifications of one family contact (who acknowledged). */
export async function cancelContactNotifications(q: Queryable, alertId: string, contact: number, at: Date) {
  const { rows } = await q.query(
    `UPDATE notifications SET state = CASE WHEN state = 'pending' THEN 'cancelled' ELSE state END,
       next_attempt_at = NULL, acknowledged_at = coalesce(acknowledged_at, $3)
     WHERE alert_id = $1 AND target = 'family' AND (recipient->>'contact')::int = $2
       AND (state = 'pending' OR acknowledged_at IS NULL)
     RETURNING ${COLUMNS}`,
    [alertId, contact, at],
  )
  return rows.map(toNotification)
}

export async function getNotification(q: Queryable, id: string, lock = false) {
  const { rows } = await q.query(
    `SELECT ${COLUMNS} FROM notifications WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  )
  return rows[0] ? toNotification(rows[0]) : null
}

/** An alert's notifications with every attempt: the route an alert took. */
export async function alertRoute(q: Queryable, alertId: string) {
  const { rows } = await q.query(
    `SELECT ${COLUMNS}, (SELECT coalesce(json_agg(json_build_object('attempt', t.attempt, 'startedAt', t.started_at,
         'finishedAt', t.finished_at, 'ok', t.ok, 'receipt', t.receipt, 'error', t.error) ORDER BY t.id), '[]')
       FROM notification_attempts t WHERE t.notification_id = n.id) AS attempt_list
     FROM notifications n WHERE alert_id = $1 ORDER BY created_at, step, id`,
    [alertId],
  )
  return rows.map((r) => ({ ...toNotification(r), attemptList: r.attempt_list as Record<string, unknown>[] }))
}

export async function nextNotificationDue(q: Queryable): Promise<Date | null> {
  const { rows } = await q.query<{ due: Date | null }>(
    "SELECT min(next_attempt_at) AS due FROM notifications WHERE state = 'pending' AND channel <> 'live'",
  )
  return rows[0]?.due ?? null
}
