import type { AlertClass, Priority } from '../../devices/index.js'
import type { Alert, AlertEvent, AlertState, HistoryEntry, HistoryKind } from '../core/alert.js'
import type { Queryable } from './db.js'

// Reading alerts with their audit trail (alert_events); writes are in alert-writes.ts.

interface AlertRow {
  id: string
  type: string
  priority: number
  alert_class: AlertClass
  ability_level: number
  state: AlertState
  site_id: string | null
  resident_id: string | null
  device_id: string | null
  related_alert_id: string | null
  event: (Omit<AlertEvent, 'ts' | 'receivedAt'> & { ts: string; receivedAt: string }) | null
  count: number
  unanswered: boolean
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
  alertClass: r.alert_class,
  abilityLevel: r.ability_level,
  state: r.state,
  siteId: r.site_id,
  residentId: r.resident_id,
  deviceId: r.device_id,
  relatedAlertId: r.related_alert_id,
  event: r.event && { ...r.event, ts: new Date(r.event.ts), receivedAt: new Date(r.event.receivedAt) },
  count: r.count,
  unanswered: r.unanswered,
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

/** An alert's history as one JSON column (alias `a`), so alerts and histories load in one round trip. */
const HISTORY_JSON = `(SELECT coalesce(json_agg(json_build_object('at', e.at, 'kind', e.kind, 'actor', e.actor,
  'note', e.note, 'data', e.data) ORDER BY e.id), '[]') FROM alert_events e WHERE e.alert_id = a.id)`
type JsonEntry = Omit<EntryRow, 'alert_id' | 'at'> & { at: string }
const fromJsonHistory = (r: AlertRow & { history: JsonEntry[] }) =>
  toAlert(
    r,
    r.history.map((h) => ({ ...h, at: new Date(h.at) })),
  )

/** Locks and loads the unresolved alerts for these (device, type) pairs, history included: one round trip. */
export async function lockActiveAlerts(q: Queryable, pairs: { deviceId: string; type: string }[]) {
  return lockActive(
    q,
    'a.device_id = k.subject',
    pairs.map((p) => [p.deviceId, p.type]),
  )
}

/** The same for alerts about a resident rather than a device (src/rules/: inactivity, bed exit, …). */
export async function lockActiveResidentAlerts(q: Queryable, pairs: { residentId: string; type: string }[]) {
  return lockActive(
    q,
    'a.device_id IS NULL AND a.resident_id = k.subject',
    pairs.map((p) => [p.residentId, p.type]),
  )
}

async function lockActive(q: Queryable, match: string, pairs: [string, string][]) {
  if (pairs.length === 0) return []
  const { rows } = await q.query<AlertRow & { history: JsonEntry[] }>(
    `SELECT a.*, ${HISTORY_JSON} AS history
     FROM alerts a
     JOIN unnest($1::text[], $2::text[]) AS k(subject, type) ON ${match} AND a.type = k.type
     WHERE a.state <> 'resolved' FOR UPDATE OF a`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  )
  return rows.map(fromJsonHistory)
}

export async function getAlert(q: Queryable, id: string, lock = false): Promise<Alert | null> {
  const { rows } = await q.query<AlertRow>(`SELECT * FROM alerts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
    id,
  ])
  return (await withHistory(q, rows))[0] ?? null
}

/** Several alerts with their histories, in one round trip; missing ones are left out. */
export async function getAlerts(q: Queryable, ids: string[]): Promise<Alert[]> {
  const { rows } = await q.query<AlertRow & { history: JsonEntry[] }>(
    `SELECT a.*, ${HISTORY_JSON} AS history FROM alerts a WHERE a.id = ANY($1::text[])`,
    [ids],
  )
  return rows.map(fromJsonHistory)
}

export interface AlertFilter {
  state?: AlertState
  siteId?: string
  deviceId?: string
  residentId?: string
  type?: string
  /** only alerts at these sites (a staff user's scope) */
  siteIds?: string[]
  /** only these residents' alerts (a family's scope) */
  residentIds?: string[]
  /** only alerts of these classes (a county-centre's scope) */
  alertClasses?: AlertClass[]
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
  if (f.siteIds) add('site_id = ANY(?)', f.siteIds)
  if (f.residentIds) add('resident_id = ANY(?)', f.residentIds)
  if (f.alertClasses) add('alert_class = ANY(?)', f.alertClasses)
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

/** Locks and loads the unresolved hub-raised alert of this type about this subject (an alert, else a site). */
export async function lockActiveHubAlert(q: Queryable, type: string, subject: string | null) {
  const { rows } = await q.query<AlertRow>(
    `SELECT * FROM alerts WHERE device_id IS NULL AND state <> 'resolved' AND type = $1
       AND coalesce(related_alert_id, site_id) IS NOT DISTINCT FROM $2 FOR UPDATE`,
    [type, subject],
  )
  return (await withHistory(q, rows))[0] ?? null
}
