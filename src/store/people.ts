import { coveringShifts } from '../core/roster.js'
import type { Queryable } from './db.js'
import { scheduleOf } from './shifts.js'
import type { Language } from './users.js'

// Who to notify: the queries the escalation engine calls. Disabled users are never returned, and a shift
// whose user is disabled does not count as anyone on duty.

export interface DutyContact {
  userId: string | null
  shiftId: string | null
  name: string
  phone: string | null
  email: string | null
  webhook: string | null
  webhookSecret: string | null
  language: Language
}

/** A contact on duty, with the covering occurrence of their shift (`from` inclusive, `to` exclusive). */
export interface OnDuty extends DutyContact {
  from: Date
  to: Date
}

/** A user's contact fields; the name falls back to the username. */
const USER_CONTACT = `id AS "userId", NULL AS "shiftId", coalesce(name, username) AS name, phone, email,
  webhook, webhook_secret AS "webhookSecret", language`

/** Who is on duty at `siteId` at `at`, earliest shift start first; contact fields from the shift, else its user. */
export async function onDutyAt(q: Queryable, siteId: string, at: Date): Promise<OnDuty[]> {
  // weekly shifts are resolved in the site's zone by the roster; one-off shifts are narrowed here already
  const { rows } = await q.query<Record<string, unknown> & DutyContact & { timezone: string }>(
    `SELECT s.starts_at, s.ends_at, s.days, s.day_from, s.day_to, st.timezone,
       s.user_id AS "userId", s.id AS "shiftId", coalesce(s.name, u.name, u.username) AS name,
       coalesce(s.phone, u.phone) AS phone, coalesce(s.email, u.email) AS email,
       coalesce(s.webhook, u.webhook) AS webhook, coalesce(s.webhook_secret, u.webhook_secret) AS "webhookSecret",
       coalesce(s.language, u.language, 'zh-CN') AS language
     FROM shifts s JOIN sites st ON st.id = s.site_id LEFT JOIN users u ON u.id = s.user_id
     WHERE s.site_id = $1 AND (s.days IS NOT NULL OR (s.starts_at <= $2 AND s.ends_at > $2))
       AND (u.id IS NULL OR NOT u.disabled)
     ORDER BY s.created_at, s.id`,
    [siteId, at],
  )
  const timezone = rows[0]?.timezone
  if (!timezone) return []
  const shifts = rows.map((r) => ({ row: r, schedule: scheduleOf(r) }))
  return coveringShifts(shifts, timezone, at).map(({ row: r, occurrence }) => ({
    userId: r.userId,
    shiftId: r.shiftId,
    name: r.name,
    phone: r.phone,
    email: r.email,
    webhook: r.webhook,
    webhookSecret: r.webhookSecret,
    language: r.language,
    ...occurrence,
  }))
}

/** Enabled supervisors of `siteId`: those with no siteIds (all sites) or with it; for null, the hub-wide ones. */
export async function supervisorsFor(q: Queryable, siteId: string | null): Promise<DutyContact[]> {
  const { rows } = await q.query<DutyContact>(
    `SELECT ${USER_CONTACT} FROM users
     WHERE role = 'supervisor' AND NOT disabled AND (cardinality(site_ids) = 0 OR $1::text = ANY(site_ids))
     ORDER BY created_at, id`,
    [siteId],
  )
  return rows
}

/** The enabled users among `ids`, in the order given (a policy's named users, in call order). */
export async function usersByIds(q: Queryable, ids: string[]): Promise<DutyContact[]> {
  const { rows } = await q.query<DutyContact>(
    `SELECT ${USER_CONTACT} FROM users WHERE id = ANY($1::text[]) AND NOT disabled
     ORDER BY array_position($1::text[], id)`,
    [ids],
  )
  return rows
}
