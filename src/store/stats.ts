import type { Queryable } from './db.js'

// Service statistics over the alerts table: how many alerts, how fast they were answered and resolved, how
// many were false alarms. Plain PostgreSQL only (date_trunc with a time zone, percentile_cont, FILTER), so the
// same SQL runs on TimescaleDB and without it. Every query counts alerts by when they opened, in [from, to).

export interface StatsScope {
  from: Date
  to: Date
  /** one site, else every site of `siteIds` (a staff user's scope), else every alert */
  siteId?: string
  siteIds?: string[]
  /** only alerts of this priority or higher (1 highest) */
  maxPriority?: number
}

/** The WHERE clause for a scope, with its arguments after `args`. */
function where(s: StatsScope, args: unknown[], alias = '') {
  const conds: string[] = []
  const add = (sql: string, v: unknown) => {
    args.push(v)
    conds.push(sql.replace('?', `$${args.length}`))
  }
  add(`${alias}opened_at >= ?`, s.from)
  add(`${alias}opened_at < ?`, s.to)
  if (s.siteId !== undefined) add(`${alias}site_id = ?`, s.siteId)
  if (s.siteIds !== undefined) add(`${alias}site_id = ANY(?)`, s.siteIds)
  if (s.maxPriority !== undefined) add(`${alias}priority <= ?`, s.maxPriority)
  return conds.join(' AND ')
}

export interface AlertCount {
  bucket: Date
  siteId: string | null
  type: string
  count: number
}

/** Alerts opened per bucket (hour or day, as the clock reads in `timeZone`), site and type; empty buckets left out. */
export async function alertCounts(
  q: Queryable,
  s: StatsScope,
  bucket: 'hour' | 'day',
  timeZone: string,
): Promise<AlertCount[]> {
  const args: unknown[] = [bucket, timeZone]
  const { rows } = await q.query<AlertCount>(
    `SELECT date_trunc($1, opened_at, $2) AS bucket, site_id AS "siteId", type, count(*)::int AS count
     FROM alerts WHERE ${where(s, args)}
     GROUP BY 1, 2, 3 ORDER BY 1, 2 NULLS FIRST, 3`,
    args,
  )
  return rows
}

export interface ResponseFigures {
  alerts: number
  acknowledged: number
  resolved: number
  ackP50: number | null
  ackP90: number | null
  resolveP50: number | null
  resolveP90: number | null
  within60: number
  within180: number
}

/**
 * Time to acknowledge and to resolve, in seconds. An alert resolved without an acknowledgement was answered
 * when it was resolved; one never answered counts in `alerts` only, so it lowers the shares answered in time.
 */
export async function responseFigures(q: Queryable, s: StatsScope): Promise<ResponseFigures> {
  const args: unknown[] = []
  const { rows } = await q.query<ResponseFigures>(
    `WITH a AS (
       SELECT extract(epoch FROM coalesce(acknowledged_at, resolved_at) - opened_at)::float8 AS ack_s,
              extract(epoch FROM resolved_at - opened_at)::float8 AS resolve_s
       FROM alerts WHERE ${where(s, args)}
     )
     SELECT count(*)::int AS alerts, count(ack_s)::int AS acknowledged, count(resolve_s)::int AS resolved,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_s) AS "ackP50",
       percentile_cont(0.9) WITHIN GROUP (ORDER BY ack_s) AS "ackP90",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY resolve_s) AS "resolveP50",
       percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve_s) AS "resolveP90",
       count(*) FILTER (WHERE ack_s <= 60)::int AS within60,
       count(*) FILTER (WHERE ack_s <= 180)::int AS within180
     FROM a`,
    args,
  )
  return rows[0]!
}

/**
 * Resolve outcomes that mean "false alarm" (compared trimmed and in lower case). The console offers
 * `false-alarm`; the others are what operators type by hand.
 */
export const falseAlarmOutcomes = ['false-alarm', 'false alarm', 'false', '误报', '误报警'] as const

export interface FalseAlarmRow {
  deviceType: string
  resolved: number
  falseAlarms: number
}

/**
 * Resolved device alerts per device type, and how many of them were false alarms: a false-alarm outcome, or a
 * fire alarm staff marked false (its `false-alarm` history entry).
 */
export async function falseAlarmCounts(q: Queryable, s: StatsScope): Promise<FalseAlarmRow[]> {
  const args: unknown[] = [falseAlarmOutcomes]
  const { rows } = await q.query<FalseAlarmRow>(
    `SELECT d.type AS "deviceType", count(*)::int AS resolved,
       count(*) FILTER (WHERE lower(btrim(a.outcome)) = ANY($1) OR EXISTS (
         SELECT 1 FROM alert_events e WHERE e.alert_id = a.id AND e.kind = 'false-alarm'))::int AS "falseAlarms"
     FROM alerts a JOIN devices d ON d.id = a.device_id
     WHERE a.state = 'resolved' AND ${where(s, args, 'a.')}
     GROUP BY d.type ORDER BY d.type`,
    args,
  )
  return rows
}
