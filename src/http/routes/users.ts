import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import { type Queryable, withTransaction } from '../../store/db.js'
import type { Keyset } from '../../store/resources.js'
import {
  endUserTokens,
  hashPassword,
  lockEnabledAdmins,
  type Role,
  roles,
  userRecords,
} from '../../store/users.js'
import { userReaders } from '../auth.js'
import { clearable, contactChannels, optional, personName } from '../contact-fields.js'
import { decodeCursor, page, pageQuery, searchQuery } from '../paging.js'

// People (/api/v1/users): created, changed and disabled by admins, read by admins and supervisors.
// Users are never deleted (alerts name who acknowledged them); they are disabled instead.

const password = z.string().min(8).max(200)
const siteIds = z.array(z.string().min(1).max(100)).max(200)
const contact = { name: personName, ...contactChannels }

const createBody = z
  .object({
    username: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w.@-]+$/, 'letters, digits and . _ @ - only'),
    password,
    role: z.enum(roles),
    siteIds: siteIds.optional(),
    ...optional(contact),
  })
  .strict()

const patchBody = z
  .object({
    role: z.enum(roles),
    siteIds,
    password,
    disabled: z.boolean(),
  })
  .partial()
  .extend(clearable(contact))
  .strict()

const params = z.object({ id: z.string().max(100) })
const keyset = z.object({ c: z.string(), id: z.string() })

/** Staff must belong to a site, and every site named must exist. */
async function checkSites(q: Queryable, role: Role, ids: string[]) {
  if (role === 'staff' && ids.length === 0) {
    throw new HubError('HUB_ERR_VALIDATION', 'a staff user needs at least one site', [
      { field: 'body.siteIds', message: 'needs at least one site for the staff role' },
    ])
  }
  const { rows } = await q.query<{ id: string }>('SELECT id FROM sites WHERE id = ANY($1)', [ids])
  const known = new Set(rows.map((r) => r.id))
  const details = ids.flatMap((id, i) =>
    known.has(id) ? [] : [{ field: `body.siteIds.${i}`, message: `no site with id ${id}` }],
  )
  if (details.length) throw new HubError('HUB_ERR_UNKNOWN_REFERENCE', 'unknown site in siteIds', details)
}

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, bus } = app.deps
  const write = { onRequest: app.requireRole('admin') }
  const read = { onRequest: app.requireRole(...userReaders) }
  const tags = ['users']

  app.post('/users', { ...write, schema: { tags, body: createBody } }, async (req, reply) => {
    const { password, ...fields } = req.body
    await checkSites(db, fields.role, fields.siteIds ?? [])
    const created = await userRecords.insert(db, newId('usr'), {
      ...fields,
      passwordHash: await hashPassword(password),
    })
    return reply.code(201).send(created)
  })

  app.get(
    '/users',
    {
      ...read,
      schema: {
        tags,
        querystring: z.object({
          role: z.enum(roles).optional(),
          siteId: z.string().max(100).optional(),
          disabled: z.stringbool().optional(),
          ...pageQuery,
          ...searchQuery,
        }),
      },
    },
    async (req) => {
      const { limit, cursor, q, ...filters } = req.query
      const after = decodeCursor<Keyset>(cursor, keyset)
      const { items, next } = await userRecords.list(db, filters, limit, after, undefined, q)
      return page(items, next)
    },
  )

  app.get('/users/:id', { ...read, schema: { tags, params } }, async (req) => {
    const found = await userRecords.get(db, req.params.id)
    if (!found) throw notFound('user', req.params.id)
    return found
  })

  app.patch('/users/:id', { ...write, schema: { tags, params, body: patchBody } }, async (req) => {
    const { id } = req.params
    const { password, ...fields } = req.body
    const updated = await withTransaction(db, async (tx) => {
      // lock the admins first, then read: a concurrent demotion is then seen, not overwritten
      const admins = fields.role || fields.disabled ? await lockEnabledAdmins(tx) : []
      const current = await userRecords.get(tx, id)
      if (!current) throw notFound('user', id)
      const removesAdmin = (fields.role && fields.role !== 'admin') || fields.disabled === true
      if (removesAdmin && admins.length === 1 && admins[0] === id) {
        throw new HubError(
          'HUB_ERR_LAST_ADMIN',
          'this is the last enabled admin: enable or create another first',
        )
      }
      if (fields.role || fields.siteIds) {
        await checkSites(tx, fields.role ?? current.role, fields.siteIds ?? current.siteIds)
      }
      const values = password ? { ...fields, passwordHash: await hashPassword(password) } : fields
      // a new password or disabling ends every token issued before it, for good (re-enabling keeps them ended)
      if (password || fields.disabled) await endUserTokens(tx, id)
      return (await userRecords.patch(tx, id, values))!
    })
    // open live-feed connections re-authenticate: ended tokens' stop, a new scope applies
    if (fields.role || fields.siteIds || fields.disabled || password) bus.emit('user.changed', id)
    return updated
  })
}
