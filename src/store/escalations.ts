import type { AlertClass } from '../../devices/index.js'
import type { Chain, Position, Step } from '../core/escalation.js'
import type { Queryable } from './db.js'
import { resourceStore } from './resources.js'

// Escalation policies (a provisioning resource) and each alert's running chain: a durable timer row.

type Row = Record<string, unknown>
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null)

export const policies = resourceStore({
  table: 'escalation_policies',
  // staff read their sites' policies and the hub-wide ones, never another site's
  siteColumn: 'site_id',
  nullSiteIsShared: true,
  fields: {
    siteId: { column: 'site_id' },
    alertType: { column: 'alert_type' },
    alertClass: { column: 'alert_class' },
    name: { column: 'name' },
    steps: { column: 'steps', json: true },
  },
  toJson: (r: Row) => ({
    id: r.id as string,
    siteId: r.site_id as string | null,
    alertType: r.alert_type as string,
    alertClass: r.alert_class as AlertClass | null,
    name: r.name as string,
    steps: r.steps as Step[],
    builtin: r.builtin as boolean,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }),
})
export type Policy = NonNullable<Awaited<ReturnType<typeof policies.get>>>

export type PolicyRow = {
  id: string
  siteId: string | null
  alertType: string
  alertClass: AlertClass | null
  name: string
  steps: Step[]
}

/**
 * The policies that could apply to alerts at these sites of these types, in one query: hub-wide or at one of
 * the sites, for one of the types or any. A superset per alert: the chooser picks the most specific one.
 */
export async function candidatePolicies(
  q: Queryable,
  siteIds: (string | null)[],
  alertTypes: string[],
): Promise<PolicyRow[]> {
  const { rows } = await q.query<{
    id: string
    site_id: string | null
    alert_type: string
    alert_class: AlertClass | null
    name: string
    steps: Step[]
  }>(
    `SELECT id, site_id, alert_type, alert_class, name, steps FROM escalation_policies
     WHERE (site_id IS NULL OR site_id = ANY($1::text[])) AND (alert_type = ANY($2::text[]) OR alert_type = '*')`,
    [[...new Set(siteIds.filter((s) => s !== null))], [...new Set(alertTypes)]],
  )
  return rows.map((r) => ({
    id: r.id,
    siteId: r.site_id,
    alertType: r.alert_type,
    alertClass: r.alert_class,
    name: r.name,
    steps: r.steps,
  }))
}

export interface DueEscalation {
  alertId: string
  chain: Chain | null
  position: Position
  ackedContacts: number[]
}

/**
 * Claims up to `limit` chains due at `now` (the runner's clock: the deadlines were computed from it too) and
 * locks their alerts. SKIP LOCKED: with several hub processes, or several step transactions, each due step is
 * taken by exactly one, and the claim never waits: an operator acknowledging the alert right now holds its row,
 * so the step is skipped here and, once the ack commits, is no longer due.
 */
export async function claimDueEscalations(q: Queryable, limit: number, now: Date): Promise<DueEscalation[]> {
  const { rows } = await q.query<{
    alert_id: string
    chain: Chain | null
    next_step: number
    next_iteration: number
    next_due_at: Date
    acked_contacts: number[]
  }>(
    `SELECT e.alert_id, e.chain, e.next_step, e.next_iteration, e.next_due_at, e.acked_contacts
     FROM alert_escalations e JOIN alerts a ON a.id = e.alert_id
     WHERE e.next_due_at <= $2 ORDER BY e.next_due_at LIMIT $1
     FOR UPDATE OF e, a SKIP LOCKED`,
    [limit, now],
  )
  return rows.map((r) => ({
    alertId: r.alert_id,
    chain: r.chain,
    position: { step: r.next_step, iteration: r.next_iteration, dueAt: r.next_due_at },
    ackedContacts: r.acked_contacts,
  }))
}

/**
 * After a batch of steps, in one statement: each chain that ran moves to its next step; each chain whose alert
 * is no longer open stops, with the reason (the alert's state, or 'gone').
 */
export async function moveEscalations(
  q: Queryable,
  moved: { alertId: string; chain: Chain; next: Position }[],
  stopped: { alertId: string; reason: string }[],
) {
  if (moved.length === 0 && stopped.length === 0) return
  await q.query(
    `WITH stopped AS (
       UPDATE alert_escalations e SET next_due_at = NULL, stopped_reason = u.reason
       FROM unnest($7::text[], $8::text[]) AS u(alert_id, reason) WHERE e.alert_id = u.alert_id
     )
     UPDATE alert_escalations e SET policy_id = u.policy_id, chain = u.chain, next_step = u.step,
       next_iteration = u.iteration, next_due_at = u.due_at
     FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::int[], $5::int[], $6::timestamptz[])
       AS u(alert_id, policy_id, chain, step, iteration, due_at)
     WHERE e.alert_id = u.alert_id`,
    [
      moved.map((m) => m.alertId),
      moved.map((m) => m.chain.policyId),
      moved.map((m) => JSON.stringify(m.chain)),
      moved.map((m) => m.next.step),
      moved.map((m) => m.next.iteration),
      moved.map((m) => m.next.dueAt),
      stopped.map((s) => s.alertId),
      stopped.map((s) => s.reason),
    ],
  )
}

/** A step that keeps failing is retried later rather than in a tight loop. */
export async function postponeEscalation(q: Queryable, alertId: string, ms: number) {
  await q.query(
    `UPDATE alert_escalations SET next_due_at = now() + $2 * interval '1 millisecond'
     WHERE alert_id = $1 AND next_due_at IS NOT NULL`,
    [alertId, ms],
  )
}

/** A family contact acknowledged: no more reminders for them. Returns false if already recorded. */
export async function recordContactAck(q: Queryable, alertId: string, contact: number): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE alert_escalations SET acked_contacts = acked_contacts || to_jsonb($2::int)
     WHERE alert_id = $1 AND NOT acked_contacts @> to_jsonb($2::int)`,
    [alertId, contact],
  )
  return (rowCount ?? 0) > 0
}

export async function nextEscalationDue(q: Queryable): Promise<Date | null> {
  const { rows } = await q.query<{ due: Date | null }>(
    'SELECT min(next_due_at) AS due FROM alert_escalations WHERE next_due_at IS NOT NULL',
  )
  return rows[0]?.due ?? null
}
