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

/** What one lane of a worker can take. */
export interface LaneRoom {
  /** at most this many */
  limit: number
  /** sends in flight to one receiver at most; WAVES − 1 times as many more may be claimed to wait for a slot */
  perReceiver: number
  /** what the worker holds now (in flight or waiting), by receiver */
  held: ReadonlyMap<string, number>
}

export type Claimed = Notification & { receiver: string }

/** How many sends' worth a worker may hold for one receiver: in flight, and waiting for as many more waves. */
export const WAVES = 4

/**
 * A lane's due rows, oldest first, skipping receivers the worker already holds its fill of. No more are read
 * (and locked) than one receiver could take: a claim feeds at least that one, and the next claim follows at once.
 */
const due = (critical: boolean, limit: string, per: string) => `
  SELECT id, critical, next_attempt_at, ${RECEIVER} AS receiver FROM notifications
  WHERE state = 'pending' AND channel <> 'live' AND ${critical ? '' : 'NOT '}critical AND next_attempt_at <= now()
    AND ${RECEIVER} <> ALL($9::text[])
  ORDER BY next_attempt_at LIMIT least(${limit}, ${WAVES} * ${per}) FOR UPDATE SKIP LOCKED`

/**
 * Claims due notifications of both lanes in one statement: fire-centre signals (critical) have a lane of their
 * own, so they never wait behind family notifications. Oldest first, never more for one receiver than its
 * bound × WAVES less what the worker holds for it. The claim moves next_attempt_at to the end of a lease, so no
 * other worker takes the row while this one sends (outside any transaction). The p-th held for a receiver with
 * bound P starts once ceil(p / P) − 1 waves of sends ahead of it have finished, each within a channel's
 * timeout (shorter than a lease), and takes at most a timeout itself: its lease is ceil(p / P) leases.
 * The claim commits asynchronously (no wait for the WAL flush): a claim lost in a crash only makes the
 * notification due again, and it is sent again with the same id, which receivers drop (CONTRACT.md,
 * webhook-id); its attempt record commits synchronously, and that WAL flush covers the claim.
 */
export async function claimDueNotifications(
  q: Queryable,
  leaseMs: number,
  fire: LaneRoom,
  other: LaneRoom,
): Promise<Claimed[]> {
  const held: [boolean, string, number][] = [
    ...[...fire.held].map(([r, n]) => [true, r, n] as [boolean, string, number]),
    ...[...other.held].map(([r, n]) => [false, r, n] as [boolean, string, number]),
  ]
  const { rows } = await q.query({
    name: 'claim-notifications',
    text: `WITH lazy AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)),
     fire AS (${due(true, '$1::int', '$3::int')}), other AS (${due(false, '$2::int', '$4::int')}),
     ranked AS (
       SELECT d.*, coalesce(held.n, 0) + row_number() OVER (PARTITION BY d.critical, d.receiver
         ORDER BY d.next_attempt_at, d.id) AS place, CASE WHEN d.critical THEN $3::int ELSE $4::int END AS per
       FROM (SELECT * FROM fire UNION ALL SELECT * FROM other) d
       LEFT JOIN unnest($5::boolean[], $6::text[], $7::int[]) AS held(critical, receiver, n) USING (critical, receiver)
     ), chosen AS (
       SELECT id, receiver, place, per, critical,
         row_number() OVER (PARTITION BY critical ORDER BY next_attempt_at, id) AS nth
       FROM ranked WHERE place <= ${WAVES} * per
     )
     UPDATE notifications n SET attempts = attempts + 1,
       next_attempt_at = now() + $8 * interval '1 millisecond' * ceil(place::numeric / per)
     FROM chosen, lazy
     WHERE n.id = chosen.id AND nth <= CASE WHEN chosen.critical THEN $1::int ELSE $2::int END
     RETURNING ${COLUMNS.replace(/(\w+)/g, 'n.$1')}, chosen.receiver`,
    values: [
      fire.limit,
      other.limit,
      fire.perReceiver,
      other.perReceiver,
      held.map((h) => h[0]),
      held.map((h) => h[1]),
      held.map((h) => h[2]),
      leaseMs,
      held.filter((h) => h[2] >= WAVES * (h[0] ? fire : other).perReceiver).map((h) => h[1]),
    ],
  })
  return rows.map((row) => ({ ...toNotification(row), receiver: row.receiver as string }))
}

/** Undoes the claim of notifications never sent (the worker stopped first): due at once, the attempt uncounted. */
export async function releaseClaims(q: Queryable, ids: string[]) {
  if (ids.length === 0) return
  await q.query(
    `UPDATE notifications SET attempts = attempts - 1, next_attempt_at = now()
     WHERE id = ANY($1) AND state = 'pending'`,
    [ids],
  )
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
 * cancelled one. Returns the notifications as they now stand (only what the attempt can change is read back:
 * the rest is as claimed, and parsing every message again would cost more than the statement).
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
     FROM input i WHERE n.id = i.id
     RETURNING n.id, n.state, n.receipt, n.delivered_at, n.last_error, n.next_attempt_at, n.acknowledged_at`,
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
  const now = new Map(rows.map((r) => [r.id as string, r]))
  return outcomes.map(({ notification: n }) => {
    const r = now.get(n.id)
    if (!r) return n
    return {
      ...n,
      state: r.state,
      receipt: r.receipt,
      deliveredAt: r.delivered_at,
      lastError: r.last_error,
      nextAttemptAt: r.next_attempt_at,
      acknowledgedAt: r.acknowledged_at,
    }
  })
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
