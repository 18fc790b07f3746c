import type { LiveKind, LiveMessage } from '../contract/live.js'
import type { Alert, AlertEvent, HistoryEntry } from '../core/alert.js'
import type { Queryable } from './db.js'

// All writes of one set of alert changes in ONE statement (data-modifying CTEs): new alerts and the start
// of their escalation (a durable timer due at once), updated alerts (an acknowledged or resolved alert's
// escalation stops), their audit entries, and the live-feed messages with their seqs. On the alarm path every
// round trip to the database is latency, so this replaces five.

export interface AlertWrites {
  inserted: Alert[]
  updated: Alert[]
  entries: { alertId: string; entry: HistoryEntry }[]
  /** alerts whose stored latest repeat is replaced by a new one (the history keeps the first and the latest) */
  folded: string[]
  feed: { kind: LiveKind; data: LiveMessage['data'] }[]
}

const eventJson = (e: AlertEvent | null) =>
  e && JSON.stringify({ ...e, ts: e.ts.toISOString(), receivedAt: e.receivedAt.toISOString() })

// The feed_counter row stays locked until the transaction ends, so a later seq can never commit before an
// earlier one: seq order is commit order. (RI checks of alert_events → alerts run at the statement's end,
// after the sibling INSERT.)
const SQL = `
WITH inserted AS (
  INSERT INTO alerts (id, type, priority, ability_level, state, site_id, resident_id, device_id,
    related_alert_id, event, count, opened_at, alert_class)
  SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::smallint[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::int[], $12::timestamptz[], $31::text[])
  RETURNING id, opened_at
), escalation AS (
  INSERT INTO alert_escalations (alert_id, next_due_at) SELECT id, opened_at FROM inserted
), updated AS (
  UPDATE alerts a SET state = u.state, count = u.count, acknowledged_at = u.acknowledged_at,
    acknowledged_by = u.acknowledged_by, resolved_at = u.resolved_at, resolved_by = u.resolved_by,
    outcome = u.outcome, unanswered = u.unanswered
  FROM unnest($13::text[], $14::text[], $15::int[], $16::timestamptz[], $17::text[], $18::timestamptz[],
    $19::text[], $20::text[], $29::boolean[]) AS u(id, state, count, acknowledged_at, acknowledged_by,
    resolved_at, resolved_by, outcome, unanswered)
  WHERE a.id = u.id
  RETURNING a.id, a.state
), stopped AS (
  UPDATE alert_escalations e SET next_due_at = NULL, stopped_reason = u.state
  FROM updated u WHERE e.alert_id = u.id AND u.state <> 'open' AND e.next_due_at IS NOT NULL
), unfolded AS (
  DELETE FROM alert_events e WHERE e.alert_id = ANY($30::text[]) AND e.kind = 'repeated'
    AND e.id > (SELECT min(f.id) FROM alert_events f WHERE f.alert_id = e.alert_id AND f.kind = 'repeated')
), audit AS (
  INSERT INTO alert_events (alert_id, at, kind, actor, note, data)
  SELECT * FROM unnest($21::text[], $22::timestamptz[], $23::text[], $24::text[], $25::text[], $26::jsonb[])
), counter AS (
  UPDATE feed_counter SET seq = seq + cardinality($27::text[]) RETURNING seq
)
INSERT INTO feed (seq, kind, data)
SELECT counter.seq - cardinality($27::text[]) + f.ord, f.kind, f.data
FROM counter, unnest($27::text[], $28::json[]) WITH ORDINALITY AS f(kind, data, ord)
RETURNING seq`

/** Writes the changes and returns the stored live-feed messages, in seq order. */
export async function writeAlertChanges(q: Queryable, w: AlertWrites): Promise<LiveMessage[]> {
  const ins = <K extends keyof Alert>(k: K) => w.inserted.map((a) => a[k])
  const upd = <K extends keyof Alert>(k: K) => w.updated.map((a) => a[k])
  const ent = <K extends keyof HistoryEntry>(k: K) => w.entries.map((e) => e.entry[k])
  const { rows } = await q.query<{ seq: number }>(SQL, [
    ins('id'),
    ins('type'),
    ins('priority'),
    ins('abilityLevel'),
    ins('state'),
    ins('siteId'),
    ins('residentId'),
    ins('deviceId'),
    ins('relatedAlertId'),
    w.inserted.map((a) => eventJson(a.event)),
    ins('count'),
    ins('openedAt'),
    upd('id'),
    upd('state'),
    upd('count'),
    upd('acknowledgedAt'),
    upd('acknowledgedBy'),
    upd('resolvedAt'),
    upd('resolvedBy'),
    upd('outcome'),
    w.entries.map((e) => e.alertId),
    ent('at'),
    ent('kind'),
    ent('actor'),
    ent('note'),
    w.entries.map((e) => JSON.stringify(e.entry.data)),
    w.feed.map((m) => m.kind),
    w.feed.map((m) => JSON.stringify(m.data)),
    upd('unanswered'),
    w.folded,
    ins('alertClass'),
  ])
  const first = Math.min(...rows.map((r) => r.seq))
  return w.feed.map((m, i) => ({ seq: first + i, kind: m.kind, data: m.data }) as LiveMessage)
}

/** Audit entries that record facts about alerts' routes (deliveries) without changing the alerts. */
export async function appendAlertEvents(q: Queryable, entries: { alertId: string; entry: HistoryEntry }[]) {
  if (entries.length === 0) return
  await q.query(
    `INSERT INTO alert_events (alert_id, at, kind, actor, note, data)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
    [
      entries.map((e) => e.alertId),
      entries.map((e) => e.entry.at),
      entries.map((e) => e.entry.kind),
      entries.map((e) => e.entry.actor),
      entries.map((e) => e.entry.note),
      entries.map((e) => JSON.stringify(e.entry.data)),
    ],
  )
}

/**
 * Takes the alerts (FOR KEY SHARE, as the audit entries' foreign key would) before any notification row: an
 * ack locks its alert and then cancels its notifications, so a writer that recorded deliveries first and
 * referenced the alert after would deadlock with it.
 */
export async function shareAlerts(q: Queryable, alertIds: string[]) {
  if (alertIds.length === 0) return
  await q.query('SELECT 1 FROM alerts WHERE id = ANY($1) ORDER BY id FOR KEY SHARE', [[...new Set(alertIds)]])
}

/**
 * Cancels the queued notifications of alerts that stopped escalating (fire-centre signals excepted). Run
 * before the alert writes: every transaction takes notification rows before the feed's counter row (the
 * outbox does too), so the two never wait on each other in opposite orders.
 */
export async function cancelQueuedNotifications(q: Queryable, alertIds: string[]) {
  if (alertIds.length === 0) return
  await q.query(
    `UPDATE notifications SET state = 'cancelled', next_attempt_at = NULL
     WHERE alert_id = ANY($1) AND state = 'pending' AND NOT critical`,
    [alertIds],
  )
}
