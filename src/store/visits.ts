import type { Queryable } from './db.js'

// Welfare visits (探访关爱) to residents, and the monthly figures over special-difficulty residents.

export type VisitKind = 'in-person' | 'phone' | 'video'

export interface Visit {
  id: string
  residentId: string
  at: string
  visitor: string
  kind: VisitKind
  findings: string | null
  followUp: boolean
  recordedBy: string
  createdAt: string
}

type Row = Record<string, unknown>

const visitJson = (r: Row): Visit => ({
  id: r.id as string,
  residentId: r.resident_id as string,
  at: (r.at as Date).toISOString(),
  visitor: r.visitor as string,
  kind: r.kind as VisitKind,
  findings: r.findings as string | null,
  followUp: r.follow_up as boolean,
  recordedBy: r.recorded_by as string,
  createdAt: (r.created_at as Date).toISOString(),
})

export interface NewVisit {
  id: string
  residentId: string
  at: Date
  visitor: string
  kind: VisitKind
  findings?: string
  followUp?: boolean
  recordedBy: string
}

export async function insertVisit(q: Queryable, v: NewVisit): Promise<Visit> {
  const { rows } = await q.query<Row>(
    `INSERT INTO visits (id, resident_id, at, visitor, kind, findings, follow_up, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [v.id, v.residentId, v.at, v.visitor, v.kind, v.findings ?? null, v.followUp ?? false, v.recordedBy],
  )
  return visitJson(rows[0]!)
}

export interface VisitCursor {
  at: string
  id: string
}

/** A resident's visits, newest first, paged by (at, id). */
export async function listVisits(q: Queryable, residentId: string, limit: number, after?: VisitCursor) {
  const args: unknown[] = [residentId, limit + 1]
  if (after) args.push(new Date(after.at), after.id)
  const { rows } = await q.query<Row>(
    `SELECT * FROM visits WHERE resident_id = $1 ${after ? 'AND (at, id) < ($3, $4)' : ''}
     ORDER BY at DESC, id DESC LIMIT $2`,
    args,
  )
  const items = rows.slice(0, limit).map(visitJson)
  const last = items.at(-1)
  const next: VisitCursor | undefined = rows.length > limit && last ? { at: last.at, id: last.id } : undefined
  return { items, next }
}

/** One special-difficulty resident due a visit in a month, and the visits it had in it. */
export interface DueResident {
  residentId: string
  name: string
  siteId: string
  siteName: string
  district: string | null
  visits: number
  lastVisitAt: string | null
}

/**
 * The special-difficulty residents due a visit in the month `year-month`, each month read in its site's time
 * zone: a resident counts once it existed before the month ended. `siteIds` narrows to those sites.
 */
export async function dueResidents(
  q: Queryable,
  year: number,
  month: number,
  siteIds?: string[],
): Promise<DueResident[]> {
  const { rows } = await q.query<Row>(
    `WITH due AS (
       SELECT r.id, r.name, r.site_id, s.name AS site_name, s.district,
         make_timestamp($1, $2, 1, 0, 0, 0) AT TIME ZONE s.timezone AS month_from,
         (make_timestamp($1, $2, 1, 0, 0, 0) + interval '1 month') AT TIME ZONE s.timezone AS month_to,
         r.created_at
       FROM residents r JOIN sites s ON s.id = r.site_id
       WHERE r.special_difficulty AND ($3::text[] IS NULL OR r.site_id = ANY($3))
     )
     SELECT d.id, d.name, d.site_id, d.site_name, d.district,
       count(v.id)::int AS visits, max(v.at) AS last_visit_at
     FROM due d
     LEFT JOIN visits v ON v.resident_id = d.id AND v.at >= d.month_from AND v.at < d.month_to
     WHERE d.created_at < d.month_to
     GROUP BY d.id, d.name, d.site_id, d.site_name, d.district
     ORDER BY d.district NULLS LAST, d.site_name, d.site_id, d.name, d.id`,
    [year, month, siteIds ?? null],
  )
  return rows.map((r) => ({
    residentId: r.id as string,
    name: r.name as string,
    siteId: r.site_id as string,
    siteName: r.site_name as string,
    district: r.district as string | null,
    visits: r.visits as number,
    lastVisitAt: r.last_visit_at instanceof Date ? r.last_visit_at.toISOString() : null,
  }))
}

/** A special-difficulty resident whose no-contact alert should open (`quiet`) or resolve (not quiet). */
export interface ContactState {
  residentId: string
  siteId: string
  quiet: boolean
  /** still special-difficulty (else its alert resolves for that reason) */
  special: boolean
  lastContactAt: Date
  alertId: string | null
}

/**
 * Residents whose "no contact" state differs from their alerts: special-difficulty residents with neither a sign
 * of life from activity monitoring (its last activity, or when it began watching) nor a visit since `cutoff`
 * (counting from when they were registered) and no open alert, and open alerts of residents heard from, visited
 * or no longer special-difficulty since.
 */
export async function contactChanges(q: Queryable, cutoff: Date, limit = 1000): Promise<ContactState[]> {
  const { rows } = await q.query<Row>(
    `SELECT * FROM (
       SELECT r.id, r.site_id, a.id AS alert_id,
         greatest(r.created_at,
           (SELECT s.last_activity FROM resident_rule_state s WHERE s.resident_id = r.id),
           (SELECT max(v.at) FROM visits v WHERE v.resident_id = r.id)) AS last_contact,
         r.special_difficulty
       FROM residents r
       LEFT JOIN alerts a ON a.resident_id = r.id AND a.type = 'no-contact' AND a.state <> 'resolved'
       WHERE r.special_difficulty OR a.id IS NOT NULL
     ) c
     WHERE (alert_id IS NULL) = (special_difficulty AND last_contact < $1)
     LIMIT $2`,
    [cutoff, limit],
  )
  return rows.map((r) => ({
    residentId: r.id as string,
    siteId: r.site_id as string,
    quiet: r.alert_id === null,
    special: r.special_difficulty as boolean,
    lastContactAt: r.last_contact as Date,
    alertId: r.alert_id as string | null,
  }))
}

/** The resident's open no-contact alert, if any. */
export async function openNoContactAlert(q: Queryable, residentId: string): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM alerts WHERE resident_id = $1 AND type = 'no-contact' AND state <> 'resolved'`,
    [residentId],
  )
  return rows[0]?.id ?? null
}
