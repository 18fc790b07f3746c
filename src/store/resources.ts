import { HubError } from '../errors.js'
import type { Queryable } from './db.js'

// Create / get / patch / delete / list for the provisioning tables (sites, residents, devices, users,
// shifts), so each differs only in its columns and how a row reads as JSON. Lists page by (created_at, id).
// `sites` narrows get and list to rows of those sites (a staff user's scope); undefined means every site.

type Row = Record<string, unknown>

export interface ResourceSpec<J> {
  table: string
  /** API field → column; `json` columns are stored as jsonb; an `any` field filters on an array column */
  fields: Record<string, { column: string; json?: boolean; any?: boolean }>
  /** the column naming the row's site, for scoped reads */
  siteColumn?: string
  /** a row whose site is null is hub-wide: every scope sees it (an escalation policy for all sites) */
  nullSiteIsShared?: boolean
  /** SQL expressions a list's text search (`?q=`) looks in, as substrings, ignoring case */
  search?: string[]
  toJson(row: Row): J
}

export interface Keyset {
  c: string
  id: string
}

function translate(err: unknown, onDelete: boolean): never {
  const e = err as { code?: string; detail?: string }
  if (e.code === '23503') {
    if (onDelete)
      throw new HubError(
        'HUB_ERR_IN_USE',
        `still referenced: ${e.detail ?? 'delete what refers to it first'}`,
      )
    throw new HubError('HUB_ERR_UNKNOWN_REFERENCE', `unknown reference: ${e.detail ?? ''}`.trim())
  }
  if (e.code === '23505')
    throw new HubError('HUB_ERR_ALREADY_EXISTS', `already exists: ${e.detail ?? ''}`.trim())
  throw err
}

export function resourceStore<J>(spec: ResourceSpec<J>) {
  const columns = (values: Row) =>
    Object.entries(values)
      .filter(([k, v]) => v !== undefined && spec.fields[k])
      .map(([k, v]) => {
        const f = spec.fields[k]!
        return { column: f.column, value: f.json ? JSON.stringify(v) : v, any: f.any }
      })
  /** the condition keeping rows of `sites`, with its parameter at `$n`; none without a scope */
  const scoped = (sites: string[] | undefined, n: number) =>
    sites && spec.siteColumn
      ? {
          sql: `(${spec.siteColumn} = ANY($${n})${spec.nullSiteIsShared ? ` OR ${spec.siteColumn} IS NULL` : ''})`,
          value: sites,
        }
      : null

  return {
    /** a row as JSON, for queries of their own that select whole rows */
    toJson: spec.toJson,

    async insert(q: Queryable, id: string, values: Row): Promise<J> {
      const cols = [{ column: 'id', value: id }, ...columns(values)]
      const sql = `INSERT INTO ${spec.table} (${cols.map((c) => c.column).join(', ')})
        VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`
      const { rows } = await q
        .query<Row>(
          sql,
          cols.map((c) => c.value),
        )
        .catch((e) => translate(e, false))
      return spec.toJson(rows[0]!)
    },

    async get(q: Queryable, id: string, sites?: string[]): Promise<J | null> {
      const scope = scoped(sites, 2)
      const { rows } = await q.query<Row>(
        `SELECT * FROM ${spec.table} WHERE id = $1 ${scope ? `AND ${scope.sql}` : ''}`,
        scope ? [id, scope.value] : [id],
      )
      return rows[0] ? spec.toJson(rows[0]) : null
    },

    async patch(q: Queryable, id: string, values: Row): Promise<J | null> {
      const cols = columns(values)
      if (cols.length === 0) return this.get(q, id)
      const sql = `UPDATE ${spec.table} SET ${cols.map((c, i) => `${c.column} = $${i + 2}`).join(', ')}
        WHERE id = $1 RETURNING *`
      const { rows } = await q
        .query<Row>(sql, [id, ...cols.map((c) => c.value)])
        .catch((e) => translate(e, false))
      return rows[0] ? spec.toJson(rows[0]) : null
    },

    async remove(q: Queryable, id: string): Promise<boolean> {
      const { rowCount } = await q
        .query(`DELETE FROM ${spec.table} WHERE id = $1`, [id])
        .catch((e) => translate(e, true))
      return (rowCount ?? 0) > 0
    },

    async list(q: Queryable, filters: Row, limit: number, after?: Keyset, sites?: string[], text?: string) {
      const where = columns(filters).map((c, i) => ({
        sql: c.any ? `$${i + 1} = ANY(${c.column})` : `${c.column} = $${i + 1}`,
        value: c.value,
      }))
      const scope = scoped(sites, where.length + 1)
      if (scope) where.push(scope)
      if (text && spec.search) {
        const n = where.length + 1
        where.push({
          sql: `(${spec.search.map((e) => `${e} ILIKE $${n}`).join(' OR ')})`,
          value: `%${text.replace(/[\\%_]/g, '\\$&')}%`,
        })
      }
      const args = where.map((w) => w.value)
      const conds = where.map((w) => w.sql)
      if (after) {
        args.push(new Date(after.c), after.id)
        conds.push(`(created_at, id) > ($${args.length - 1}, $${args.length})`)
      }
      args.push(limit + 1)
      const { rows } = await q.query<Row>(
        `SELECT * FROM ${spec.table} ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}
         ORDER BY created_at, id LIMIT $${args.length}`,
        args,
      )
      const last = rows[limit - 1]
      const next: Keyset | undefined =
        rows.length > limit && last
          ? { c: (last.created_at as Date).toISOString(), id: last.id as string }
          : undefined
      return { items: rows.slice(0, limit).map(spec.toJson), next }
    },
  }
}
