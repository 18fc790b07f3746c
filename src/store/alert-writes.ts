import type { LiveKind, LiveMessage } from '../contract/live.js'
import type { Alert, AlertEvent, HistoryEntry } from '../core/alert.js'
import type { Queryable } from './db.js'

// All writes of one set of alert changes in ONE statement (data-modifying CTEs): new alerts, updated
// alerts, their audit entries, and the live-feed messages with their seqs. On the alarm path every round
// trip to the database is latency, so this replaces four.

export interface AlertWrites {
  inserted: Alert[]
  updated: Alert[]
  entries: { alertId: string; entry: HistoryEntry }[]
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
    related_alert_id, event, count, opened_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::smallint[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::int[], $12::timestamptz[])
), updated AS (
  UPDATE alerts a SET state = u.state, count = u.count, acknowledged_at = u.acknowledged_at,
    acknowledged_by = u.acknowledged_by, resolved_at = u.resolved_at, resolved_by = u.resolved_by,
    outcome = u.outcome
  FROM unnest($13::text[], $14::text[], $15::int[], $16::timestamptz[], $17::text[], $18::timestamptz[],
    $19::text[], $20::text[]) AS u(id, state, count, acknowledged_at, acknowledged_by, resolved_at,
    resolved_by, outcome)
  WHERE a.id = u.id
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
  ])
  const first = Math.min(...rows.map((r) => r.seq))
  return w.feed.map((m, i) => ({ seq: first + i, kind: m.kind, data: m.data }) as LiveMessage)
}
