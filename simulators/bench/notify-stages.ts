import type pg from 'pg'
import { Latency, type LatencySummary } from '../lib/stats.js'

// What `bench:notify` reads from the hub's database: where a burst's notifications spent their time, and
// the copies of real notifications it queues for the outbox-only pass. Read-only apart from those copies.

export const COPY_PREFIX = 'ntf_bench'

export interface Stages {
  /** alert opened → its escalation step queued the notification */
  escalation: LatencySummary
  /** queued → the outbox claimed it (its attempt started) */
  claim: LatencySummary
  /** attempt started → the receiver had the request */
  request: LatencySummary
  /** queued → its attempt recorded as delivered: the outbox alone */
  outbox: LatencySummary
}

/** The stages of every webhook notification of alerts opened since `since`; `receivedAt` by notification id. */
export async function burstStages(
  db: pg.Client,
  since: Date,
  receivedAt: Map<string, number>,
): Promise<Stages> {
  const { rows } = await db.query<{
    id: string
    opened: number
    queued: number
    started: number
    done: number
  }>(
    `SELECT n.id, extract(epoch FROM a.opened_at) * 1000 AS opened, extract(epoch FROM n.created_at) * 1000 AS queued,
       extract(epoch FROM t.started_at) * 1000 AS started, extract(epoch FROM n.delivered_at) * 1000 AS done
     FROM notifications n JOIN alerts a ON a.id = n.alert_id
     JOIN notification_attempts t ON t.notification_id = n.id AND t.attempt = 1
     WHERE n.channel = 'webhook' AND a.opened_at >= $1 AND n.id NOT LIKE '${COPY_PREFIX}%'`,
    [since],
  )
  const s = { escalation: new Latency(), claim: new Latency(), request: new Latency(), outbox: new Latency() }
  for (const r of rows) {
    s.escalation.record(r.queued - r.opened)
    s.claim.record(r.started - r.queued)
    const received = receivedAt.get(r.id)
    if (received !== undefined) s.request.record(received - r.started)
    if (r.done) s.outbox.record(r.done - r.queued)
  }
  return {
    escalation: s.escalation.summary(),
    claim: s.claim.summary(),
    request: s.request.summary(),
    outbox: s.outbox.summary(),
  }
}

/**
 * Queues `n` copies of the webhook notifications already sent (round robin over them, so over many open
 * alerts), due at once, as a burst of reminders would be: the outbox alone, without the alarm path.
 */
export async function queueCopies(db: pg.Client, n: number): Promise<void> {
  await db.query(
    `WITH t AS (
       SELECT *, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS m FROM notifications
       WHERE channel = 'webhook' AND state = 'delivered' AND id NOT LIKE '${COPY_PREFIX}%'
     ), g AS (SELECT i, '${COPY_PREFIX}' || lpad(i::text, 8, '0') AS id FROM generate_series(0, $1 - 1) i)
     INSERT INTO notifications (id, alert_id, site_id, step, step_name, iteration, reason, target, recipient,
       channel, address, message, state, critical, next_attempt_at, deadline_at, created_at)
     SELECT g.id, t.alert_id, t.site_id, t.step, t.step_name, t.iteration, 'reminder', t.target, t.recipient,
       t.channel, t.address, t.message || jsonb_build_object('notificationId', g.id, 'reason', 'reminder'),
       'pending', false, now(), now() + interval '1 hour', now()
     FROM g JOIN t ON t.k = g.i % t.m`,
    [n],
  )
}

/** One webhook body as the hub sends it, for the bare client to post. */
export async function sampleBody(db: pg.Client): Promise<Record<string, unknown>> {
  const { rows } = await db.query("SELECT message FROM notifications WHERE channel = 'webhook' LIMIT 1")
  return rows[0].message
}
