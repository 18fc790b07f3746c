import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { newId } from '../ids.js'
import type { Queryable } from '../store/db.js'
import type { Keyset, resourceStore } from '../store/resources.js'
import { decodeCursor, page, pageQuery, searchQuery } from './paging.js'
import { aList, aRecord } from './response-schemas.js'

// The five provisioning routes every collection has (CONTRACT.md, "Provisioning"): POST, GET list with
// filters, GET, PATCH, DELETE on /{id}. Reading is open to every role (staff see only their sites' rows);
// writing is the admin's.

const keyset = z.object({ c: z.string(), id: z.string() })
const idParams = z.object({ id: z.string().max(100) })

export interface CrudOptions<J, C extends z.ZodObject, P extends z.ZodObject> {
  path: string
  name: string
  tag: string
  idPrefix: Parameters<typeof newId>[0]
  store: ReturnType<typeof resourceStore<J>>
  create: C
  patch: P
  filters: z.ZodObject
  /** turns a valid body into column values and adds what only the create answer carries (a device secret) */
  onCreate?: (
    body: z.output<C>,
    id: string,
  ) => { values: Record<string, unknown>; extra?: Record<string, unknown> }
  /** extra checks on a body before it is written (e.g. the device type exists); `id` on a PATCH */
  check?: (body: Partial<z.output<C>>, db: Queryable, id?: string) => Promise<void> | void
  /** refuses to delete an object that must stay (throw a HubError) */
  beforeDelete?: (found: J) => void
  /** runs once the object is deleted (e.g. closes a deleted device's connection) */
  afterDelete?: (found: J) => void
}

export function crudRoutes<J, C extends z.ZodObject, P extends z.ZodObject>(o: CrudOptions<J, C, P>) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>()
    const { db } = app.deps
    const tags = [o.tag]

    app.post(
      o.path,
      {
        schema: {
          response: { 201: aRecord },
          tags,
          body: o.create,
        },
      },
      async (req, reply) => {
        const body = req.body as z.output<C>
        await o.check?.(body, db)
        const id = newId(o.idPrefix)
        const { values, extra } = o.onCreate?.(body, id) ?? { values: body as Record<string, unknown> }
        const created = await o.store.insert(db, id, values)
        return reply.code(201).send({ ...created, ...extra })
      },
    )

    const listQuery = o.filters.extend({ ...pageQuery, ...searchQuery })
    app.get(
      o.path,
      {
        schema: {
          response: { 200: aList },
          tags,
          querystring: listQuery,
        },
      },
      async (req) => {
        const { limit, cursor, q, ...filters } = req.query as { limit: number; cursor?: string; q?: string }
        const after = decodeCursor<Keyset>(cursor, keyset)
        const { items, next } = await o.store.list(db, filters, limit, after, req.scope.siteIds, q)
        return page(items, next)
      },
    )

    app.get(
      `${o.path}/:id`,
      {
        schema: {
          response: { 200: aRecord },
          tags,
          params: idParams,
        },
      },
      async (req) => {
        const found = await o.store.get(db, req.params.id, req.scope.siteIds)
        if (!found) throw notFound(o.name, req.params.id)
        return found
      },
    )

    app.patch(
      `${o.path}/:id`,
      {
        schema: {
          response: { 200: aRecord },
          tags,
          params: idParams,
          body: o.patch,
        },
      },
      async (req) => {
        await o.check?.(req.body as Partial<z.output<C>>, db, req.params.id)
        const updated = await o.store.patch(db, req.params.id, req.body as Record<string, unknown>)
        if (!updated) throw notFound(o.name, req.params.id)
        return updated
      },
    )

    app.delete(
      `${o.path}/:id`,
      {
        schema: {
          response: { 200: aRecord },
          tags,
          params: idParams,
        },
      },
      async (req) => {
        const found = await o.store.get(db, req.params.id)
        if (found) o.beforeDelete?.(found)
        if (!found || !(await o.store.remove(db, req.params.id))) throw notFound(o.name, req.params.id)
        o.afterDelete?.(found)
        return found
      },
    )
  }
}
