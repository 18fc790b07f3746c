import type { Queryable } from './db.js'
import { resourceStore } from './resources.js'

// Fire-monitoring centres of an institution (CONTRACT.md): where its fire signals go, and the state of the link.

type Row = Record<string, unknown>
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null)

export const centres = resourceStore({
  table: 'monitoring_centres',
  fields: {
    siteId: { column: 'site_id' },
    name: { column: 'name' },
    url: { column: 'url' },
    secret: { column: 'secret' },
  },
  // the secret signs what the hub sends; it is never shown again
  toJson: (r: Row) => ({
    id: r.id as string,
    siteId: r.site_id as string,
    name: r.name as string,
    url: r.url as string,
    linkState: r.link_state as 'up' | 'down' | 'unknown',
    lastReceiptAt: iso(r.last_receipt_at),
    createdAt: iso(r.created_at),
  }),
})

export interface CentreRow {
  id: string
  name: string
  url: string
  secret: string | null
}

export async function centresOf(q: Queryable, siteId: string): Promise<CentreRow[]> {
  const { rows } = await q.query<CentreRow>(
    'SELECT id, name, url, secret FROM monitoring_centres WHERE site_id = $1 ORDER BY created_at, id',
    [siteId],
  )
  return rows
}

/** Every receipt proves the link up; a signal that could not be delivered marks it down. */
export async function recordLink(q: Queryable, centreId: string, up: boolean, at: Date) {
  const { rows } = await q.query<{ previous: string }>(
    `UPDATE monitoring_centres c SET link_state = $2,
       last_receipt_at = CASE WHEN $2 = 'up' THEN $3 ELSE last_receipt_at END
     FROM (SELECT link_state AS previous FROM monitoring_centres WHERE id = $1 FOR UPDATE) p
     WHERE c.id = $1 RETURNING p.previous`,
    [centreId, up ? 'up' : 'down', at],
  )
  return rows[0]?.previous ?? null
}
