import type { Priority } from '../../devices/index.js'
import type { Alert, AlertEvent, AlertState, HistoryEntry, HistoryKind } from '../core/alert.js'
import type { Queryable } from './db.js'

// Alerts and their audit trail (alert_events). Every write here runs inside the caller's transaction.

interface AlertRow {
  id: string
  type: string
  priority: number
  ability_level: number
  state: AlertState
  site_id: string | null
  resident_id: string | null
  device_id: string | null
  related_alert_id: string | null
  event: (Omit<AlertEvent, 'ts' | 'receivedAt'> & { ts: string; receivedAt: string }) | null
  count: number
  opened_at: Date
  acknowledged_at: Date | null
  acknowledged_by: string | null
  resolved_at: Date | null
  resolved_by: string | null
  outcome: string | null
}

interface EntryRow {
  alert_id: string
  at: Date
  kind: HistoryKind
  actor: string | null
  note: string | null
  data: Record<string, unknown>
}

const toAlert = (r: AlertRow, history: HistoryEntry[]): Alert => ({
  id: r.id,
  type: r.type,
  priority: r.priority as Priority,
  abilityLevel: r.ability_level,
  state: r.state,
  siteId: r.site_id,
  residentId: r.resident_id,
  deviceId: r.device_id,
  relatedAlertId: r.related_alert_id,
  event: r.event && { ...r.event, ts: new Date(r.event.ts), receivedAt: new Date(r.event.receivedAt) },
  count: r.count,
  openedAt: r.opened_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
  outcome: r.outcome,
  history,
})

/** Attaches each alert's history, oldest first. */
async function withHistory(q: Queryable, rows: AlertRow[]): Promise<Alert[]> {
  if (rows.length === 0) return []
  const { rows: entries } = await q.query<EntryRow>(
    'SELECT alert_id, at, kind, actor, note, data FROM alert_events WHERE alert_id = ANY($1) ORDER BY id',
    [rows.map((r) => r.id)],
  )
  const byAlert = new Map<string, HistoryEntry[]>(rows.map((r) => [r.id, []]))
  for (const { alert_id, ...e } of entries) byAlert.get(alert_id)?.push(e)
  return rows.map((r) => toAlert(r, byAlert.get(r.id) ?? []))
}

/** Locks and loads the unresolved alerts for these (device, type) pairs. */
export async function lockActiveAlerts(q: Queryable, pairs: { deviceId: string; type: string }[]) {
  if (pairs.length === 0) return []
  const { rows } = await q.query<AlertRow>(
    `SELECT a.* FROM alerts a
     JOIN unnest($1::text[], $2::text[]) AS k(device_id, type) ON a.device_id = k.device_id AND a.type = k.type
     WHERE a.state <> 'resolved' FOR UPDATE OF a`,
    [pairs.map((p) => p.deviceId), pairs.map((p) => p.type)],
  )
  return withHistory(q, rows)
}

export async function getAlert(q: Queryable, id: string, lock = false): Promise<Alert | null> {
  const { rows } = await q.query<AlertRow>(`SELECT * FROM alerts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
    id,
  ])
  return (await withHistory(q, rows))[0] ?? null
}

export interface AlertFilter {
  state?: AlertState
  siteId?: string
  deviceId?: string
  residentId?: string
  type?: string
}

/** Keyset position in the queue order: priority, ability level (higher first), opened, id. */
export interface AlertCursor {
  p: number
  l: number
  o: string
  id: string
}

export async function listAlerts(q: Queryable, f: AlertFilter, limit: number, after?: AlertCursor) {
  const where: string[] = []
  const args: unknown[] = []
  const add = (sql: string, v: unknown) => {
    args.push(v)
    where.push(sql.replace('?', `$${args.length}`))
  }
  if (f.state) add('state = ?', f.state)
  if (f.siteId) add('site_id = ?', f.siteId)
  if (f.deviceId) add('device_id = ?', f.deviceId)
  if (f.residentId) add('resident_id = ?', f.residentId)
  if (f.type) add('type = ?', f.type)
  if (after) {
    args.push(after.p, after.l, new Date(after.o), after.id)
    const n = args.length
    where.push(`(priority, -ability_level, opened_at, id) > ($${n - 3}, -$${n - 2}::int, $${n - 1}, $${n})`)
  }
  args.push(limit + 1)
  const { rows } = await q.query<AlertRow>(
    `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY priority, ability_level DESC, opened_at, id LIMIT $${args.length}`,
    args,
  )
  const page = await withHistory(q, rows.slice(0, limit))
  const last = page.at(-1)
  const next: AlertCursor | undefined =
    rows.length > limit && last
      ? { p: last.priority, l: last.abilityLevel, o: last.openedAt.toISOString(), id: last.id }
      : undefined
  return { items: page, next }
}

const eventJson = (e: AlertEvent | null) =>
  e && JSON.stringify({ ...e, ts: e.ts.toISOString(), receivedAt: e.receivedAt.toISOString() })

export async function insertAlerts(q: Queryable, alerts: Alert[]) {
  if (alerts.length === 0) return
  const col = <K extends keyof Alert>(k: K) => alerts.map((a) => a[k])
  await q.query(
    `INSERT INTO alerts (id, type, priority, ability_level, state, site_id, resident_id, device_id,
       related_alert_id, event, count, opened_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::smallint[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::int[], $12::timestamptz[])`,
    [
      col('id'),
      col('type'),
      col('priority'),
      col('abilityLevel'),
      col('state'),
      col('siteId'),
      col('residentId'),
      col('deviceId'),
      col('relatedAlertId'),
      alerts.map((a) => eventJson(a.event)),
      col('count'),
      col('openedAt'),
    ],
  )
}

/** Writes the mutable fields of alerts that already exist. */
export async function updateAlerts(q: Queryable, alerts: Alert[]) {
  if (alerts.length === 0) return
  const col = <K extends keyof Alert>(k: K) => alerts.map((a) => a[k])
  await q.query(
    `UPDATE alerts a SET state = u.state, count = u.count, acknowledged_at = u.acknowledged_at,
       acknowledged_by = u.acknowledged_by, resolved_at = u.resolved_at, resolved_by = u.resolved_by,
       outcome = u.outcome
     FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::timestamptz[],
       $7::text[], $8::text[]) AS u(id, state, count, acknowledged_at, acknowledged_by, resolved_at,
       resolved_by, outcome)
     WHERE a.id = u.id`,
    [
      col('id'),
      col('state'),
      col('count'),
      col('acknowledgedAt'),
      col('acknowledgedBy'),
      col('resolvedAt'),
      col('resolvedBy'),
      col('outcome'),
    ],
  )
}

export async function appendHistory(q: Queryable, entries: { alertId: string; entry: HistoryEntry }[]) {
  if (entries.length === 0) return
  const col = <K extends keyof HistoryEntry>(k: K) => entries.map((e) => e.entry[k])
  await q.query(
    `INSERT INTO alert_events (alert_id, at, kind, actor, note, data)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
    [
      entries.map((e) => e.alertId),
      col('at'),
      col('kind'),
      col('actor'),
      col('note'),
      entries.map((e) => JSON.stringify(e.entry.data)),
    ],
  )
}
