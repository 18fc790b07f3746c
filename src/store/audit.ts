import type { Queryable } from './db.js'

// The access audit: append-only (the table's triggers refuse UPDATE, DELETE and TRUNCATE), newest first.

export interface AuditEntry {
  at: Date
  userId: string | null
  username: string | null
  role: string | null
  ip: string
  method: string
  route: string
  action: string
  targetType: string | null
  targetId: string | null
  residentId: string | null
  status: number
}

const fields = [
  ['at', 'timestamptz'],
  ['user_id', 'text'],
  ['username', 'text'],
  ['role', 'text'],
  ['ip', 'text'],
  ['method', 'text'],
  ['route', 'text'],
  ['action', 'text'],
  ['target_type', 'text'],
  ['target_id', 'text'],
  ['resident_id', 'text'],
  ['status', 'smallint'],
] as const

const values = (e: AuditEntry) => [
  e.at,
  e.userId,
  e.username,
  e.role,
  e.ip,
  e.method,
  e.route,
  e.action,
  e.targetType,
  e.targetId,
  e.residentId,
  e.status,
]

/** Appends entries in one statement. */
export async function appendAudit(q: Queryable, entries: AuditEntry[]) {
  if (entries.length === 0) return
  const columns = fields.map(([c]) => c).join(', ')
  const arrays = fields.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')
  const rows = entries.map(values)
  await q.query(
    `INSERT INTO audit_log (${columns}) SELECT * FROM unnest(${arrays})`,
    fields.map((_, i) => rows.map((r) => r[i])),
  )
}

export interface AuditFilter {
  from?: Date
  to?: Date
  userId?: string
  username?: string
  residentId?: string
  targetId?: string
  action?: string
  method?: string
}

const filterColumns: Record<keyof AuditFilter, string> = {
  from: 'at >=',
  to: 'at <',
  userId: 'user_id =',
  username: 'username =',
  residentId: 'resident_id =',
  targetId: 'target_id =',
  action: 'action =',
  method: 'method =',
}

export type AuditRow = ReturnType<typeof auditJson>

const auditJson = (r: Record<string, unknown>) => ({
  id: Number(r.id),
  at: (r.at as Date).toISOString(),
  userId: r.user_id as string | null,
  username: r.username as string | null,
  role: r.role as string | null,
  ip: r.ip as string,
  method: r.method as string,
  route: r.route as string,
  action: r.action as string,
  targetType: r.target_type as string | null,
  targetId: r.target_id as string | null,
  residentId: r.resident_id as string | null,
  status: r.status as number,
})

/** Entries matching every filter, newest first, paged by id (`before`: the last id of the previous page). */
export async function listAudit(q: Queryable, f: AuditFilter, limit: number, before?: number) {
  const args: unknown[] = []
  const conds: string[] = []
  for (const [key, value] of Object.entries(f)) {
    if (value === undefined) continue
    args.push(value)
    conds.push(`${filterColumns[key as keyof AuditFilter]} $${args.length}`)
  }
  if (before !== undefined) {
    args.push(before)
    conds.push(`id < $${args.length}`)
  }
  args.push(limit + 1)
  const { rows } = await q.query(
    `SELECT * FROM audit_log ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT $${args.length}`,
    args,
  )
  const items = rows.slice(0, limit).map(auditJson)
  return { items, next: rows.length > limit ? items.at(-1)?.id : undefined }
}
