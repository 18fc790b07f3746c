import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../contract/api-schemas.js'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import { type Queryable, withTransaction } from '../../store/db.js'
import { clearFailures } from '../../store/login-throttle.js'
import type { Keyset } from '../../store/resources.js'
import {
  endUserTokens,
  hashPassword,
  languages,
  lockEnabledAdmins,
  type Role,
  roles,
  userRecords,
} from '../../store/users.js'
import { clearable, contactChannels, optional, personName } from '../contact-fields.js'
import { decodeCursor, page, pageQuery, searchQuery } from '../paging.js'
import { checkPassword, passwordSchema } from '../password-policy.js'

// People (/api/v1/users): created, changed and disabled by admins, read by admins and supervisors.
// Users are never deleted (alerts name who acknowledged them); they are disabled instead.

const siteIds = z.array(z.string().min(1).max(100)).max(200)
const district = z.string().min(1).max(100)
const residentIds = z.array(z.string().min(1).max(100)).max(20)
const contact = { name: personName, ...contactChannels }

const createBody = z
  .object({
    username: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w.@-]+$/, 'letters, digits and . _ @ - only'),
    password: passwordSchema,
    role: z.enum(roles),
    siteIds: siteIds.optional(),
    district: district.optional(),
    residentIds: residentIds.optional(),
    ...optional(contact),
  })
  .strict()

const patchBody = z
  .object({
    role: z.enum(roles),
    siteIds,
    district: district.nullable(),
    residentIds,
    password: passwordSchema,
    disabled: z.boolean(),
  })
  .partial()
  .extend(clearable(contact))
  .strict()

const params = z.object({ id: z.string().max(100) })

/** A user as every answer shows it: never the password hash nor the webhook secret. */
export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(roles),
  disabled: z.boolean(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  webhook: z.string().nullable(),
  language: z.enum(languages),
  siteIds: z.array(z.string()),
  district: z.string().nullable(),
  residentIds: z.array(z.string()),
  createdAt: z.string(),
})
const keyset = z.object({ c: z.string(), id: z.string() })

const needs = (field: string, message: string) =>
  new HubError('HUB_ERR_VALIDATION', message, [{ field: `body.${field}`, message }])

/**
 * What scopes a narrow role must be there: staff a site, a county-centre its district, a family its relative;
 * every site and resident named must exist.
 */
async function checkScope(
  q: Queryable,
  role: Role,
  u: { siteIds: string[]; district: string | null; residentIds: string[] },
) {
  if (role === 'staff' && u.siteIds.length === 0)
    throw needs('siteIds', 'needs at least one site for the staff role')
  if (role === 'county-centre' && !u.district)
    throw needs('district', 'needs a district for the county-centre role')
  if (role === 'family' && u.residentIds.length === 0)
    throw needs('residentIds', 'needs a resident for the family role')
  const unknown = async (table: string, field: string, ids: string[]) => {
    const { rows } = await q.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1)`, [ids])
    const known = new Set(rows.map((r) => r.id))
    return ids.flatMap((id, i) =>
      known.has(id)
        ? []
        : [{ field: `body.${field}.${i}`, message: `no ${table.slice(0, -1)} with id ${id}` }],
    )
  }
  const details = [
    ...(await unknown('sites', 'siteIds', u.siteIds)),
    ...(await unknown('residents', 'residentIds', u.residentIds)),
  ]
  if (details.length) throw new HubError('HUB_ERR_UNKNOWN_REFERENCE', 'unknown site or resident', details)
}

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, bus } = app.deps
  const tags = ['users']

  app.post(
    '/users',
    {
      schema: {
        response: { 201: userSchema },
        tags,
        body: createBody,
      },
    },
    async (req, reply) => {
      const { password, ...fields } = req.body
      checkPassword(password, fields.username, app.deps.accounts.passwordMinLength)
      await checkScope(db, fields.role, {
        siteIds: fields.siteIds ?? [],
        district: fields.district ?? null,
        residentIds: fields.residentIds ?? [],
      })
      const created = await userRecords.insert(db, newId('usr'), {
        ...fields,
        passwordHash: await hashPassword(password),
      })
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/users',
    {
      schema: {
        response: { 200: pageOf(userSchema) },
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

  app.get(
    '/users/:id',
    {
      schema: {
        response: { 200: userSchema },
        tags,
        params,
      },
    },
    async (req) => {
      const found = await userRecords.get(db, req.params.id)
      if (!found) throw notFound('user', req.params.id)
      return found
    },
  )

  app.patch(
    '/users/:id',
    {
      schema: {
        response: { 200: userSchema },
        tags,
        params,
        body: patchBody,
      },
    },
    async (req) => {
      const { id } = req.params
      const { password, ...fields } = req.body
      const updated = await withTransaction(db, async (tx) => {
        // lock the admins first, then read: a concurrent demotion is then seen, not overwritten
        const admins = fields.role || fields.disabled ? await lockEnabledAdmins(tx) : []
        const current = await userRecords.get(tx, id)
        if (!current) throw notFound('user', id)
        if (password) {
          checkPassword(password, current.username, app.deps.accounts.passwordMinLength)
          // an admin setting a new password also lifts a lock-out
          await clearFailures(tx, current.username)
        }
        const removesAdmin = (fields.role && fields.role !== 'admin') || fields.disabled === true
        if (removesAdmin && admins.length === 1 && admins[0] === id) {
          throw new HubError(
            'HUB_ERR_LAST_ADMIN',
            'this is the last enabled admin: enable or create another first',
          )
        }
        if (fields.role || fields.siteIds || fields.district !== undefined || fields.residentIds) {
          await checkScope(tx, fields.role ?? current.role, {
            siteIds: fields.siteIds ?? current.siteIds,
            district: fields.district === undefined ? current.district : fields.district,
            residentIds: fields.residentIds ?? current.residentIds,
          })
        }
        const values = password ? { ...fields, passwordHash: await hashPassword(password) } : fields
        // a new password or disabling ends every token issued before it, for good (re-enabling keeps them ended)
        if (password || fields.disabled) await endUserTokens(tx, id)
        return (await userRecords.patch(tx, id, values))!
      })
      // open live-feed connections re-authenticate: ended tokens' stop, a new scope applies
      const rescoped = fields.role || fields.siteIds || fields.district !== undefined || fields.residentIds
      if (rescoped || fields.disabled || password) bus.emit('user.changed', id)
      return updated
    },
  )
}
