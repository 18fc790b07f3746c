import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { hhmm, weekdays } from '../../core/roster.js'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import { onDutyAt } from '../../store/people.js'
import { sites } from '../../store/provisioning.js'
import type { Keyset } from '../../store/resources.js'
import { type ShiftJson, shiftRecords } from '../../store/shifts.js'
import { clearable, contactChannels, optional, personName } from '../contact-fields.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { aList, aRecord } from '../response-schemas.js'
import { inScope } from '../scope.js'

// Duty rosters (24小时值班): shifts per site, and who is on duty at an instant. Admins and supervisors
// write; every role reads (staff only at their own sites).

const contact = { name: personName, ...contactChannels }
const days = z.array(z.enum(weekdays)).min(1).max(7)
const when = { from: z.string().max(40), to: z.string().max(40) }

const createBody = z
  .object({
    userId: z.string().min(1).max(100).optional(),
    days: days.optional(),
    ...when,
    ...optional(contact),
  })
  .strict()
const patchBody = z
  .object({ ...when })
  .partial()
  .extend({ userId: z.string().min(1).max(100).nullable().optional(), days: days.nullable().optional() })
  .extend(clearable(contact))
  .strict()

const instant = z.iso.datetime({ offset: true })
const weekly = z.object({
  days,
  from: z.string().regex(hhmm, 'must be HH:MM'),
  to: z.string().regex(hhmm, 'must be HH:MM'),
})
const once = z
  .object({ from: instant, to: instant })
  // zod runs this even when from/to are malformed: NaN compares false, so only real instants are judged
  .refine((w) => !(Date.parse(w.to) <= Date.parse(w.from)), { path: ['to'], message: 'must be after from' })

type Whole = {
  userId?: string | null
  name?: string | null
  days?: string[] | null
  from: string
  to: string
}

/**
 * Checks a whole shift (a create body, or a shift with a PATCH applied) and returns its schedule columns:
 * weekly with `days` (from/to "HH:MM" in the site's zone), else one-off (from/to ISO-8601 instants).
 */
function scheduleColumns(s: Whole) {
  const details: { field: string; message: string }[] = []
  if (!s.userId && !s.name) details.push({ field: 'body.name', message: 'a shift needs a userId or a name' })
  const w = (s.days ? weekly : once).safeParse(s)
  if (!w.success) {
    for (const i of w.error.issues) details.push({ field: ['body', ...i.path].join('.'), message: i.message })
  }
  if (details.length) {
    throw new HubError(
      'HUB_ERR_VALIDATION',
      details.map((d) => `${d.field} ${d.message}`).join('; '),
      details,
    )
  }
  return s.days
    ? { days: s.days, dayFrom: s.from, dayTo: s.to, startsAt: null, endsAt: null }
    : { days: null, dayFrom: null, dayTo: null, startsAt: new Date(s.from), endsAt: new Date(s.to) }
}

const siteParams = z.object({ id: z.string().max(100) })
const shiftParams = siteParams.extend({ shiftId: z.string().max(100) })
const keyset = z.object({ c: z.string(), id: z.string() })

export async function shiftRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps
  const tags = ['shifts']

  async function visibleSite(req: FastifyRequest, id: string) {
    const site = await sites.get(db, id, req.scope.siteIds)
    if (!site) throw notFound('site', id)
    return site
  }

  async function visibleShift(req: FastifyRequest, siteId: string, shiftId: string): Promise<ShiftJson> {
    const shift = await shiftRecords.get(db, shiftId)
    if (!shift || shift.siteId !== siteId || !inScope(req.scope, siteId)) throw notFound('shift', shiftId)
    return shift
  }

  app.post(
    '/sites/:id/shifts',
    {
      schema: {
        response: { 201: aRecord },
        tags,
        params: siteParams,
        body: createBody,
      },
    },
    async (req, reply) => {
      await visibleSite(req, req.params.id)
      const { days: _, from, to, ...who } = req.body
      const values = { ...who, siteId: req.params.id, ...scheduleColumns(req.body) }
      return reply.code(201).send(await shiftRecords.insert(db, newId('shf'), values))
    },
  )

  app.get(
    '/sites/:id/shifts',
    {
      schema: {
        response: { 200: aList },
        tags,
        params: siteParams,
        querystring: z.object({ userId: z.string().max(100).optional(), ...pageQuery }),
      },
    },
    async (req) => {
      await visibleSite(req, req.params.id)
      const { limit, cursor, userId } = req.query
      const filters = { siteId: req.params.id, userId }
      const { items, next } = await shiftRecords.list(
        db,
        filters,
        limit,
        decodeCursor<Keyset>(cursor, keyset),
      )
      return page(items, next)
    },
  )

  app.get(
    '/sites/:id/shifts/:shiftId',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: shiftParams,
      },
    },
    async (req) => visibleShift(req, req.params.id, req.params.shiftId),
  )

  app.patch(
    '/sites/:id/shifts/:shiftId',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: shiftParams,
        body: patchBody,
      },
    },
    async (req) => {
      const current = await visibleShift(req, req.params.id, req.params.shiftId)
      const { days: _, from, to, ...who } = req.body
      const schedule = scheduleColumns({ ...current, ...req.body })
      return (await shiftRecords.patch(db, current.id, { ...who, ...schedule }))!
    },
  )

  app.delete(
    '/sites/:id/shifts/:shiftId',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: shiftParams,
      },
    },
    async (req) => {
      const current = await visibleShift(req, req.params.id, req.params.shiftId)
      await shiftRecords.remove(db, current.id)
      return current
    },
  )

  app.get(
    '/sites/:id/on-duty',
    {
      schema: {
        response: { 200: aList },
        tags,
        params: siteParams,
        querystring: z.object({ at: instant.optional() }),
      },
    },
    async (req) => {
      const site = await visibleSite(req, req.params.id)
      const at = req.query.at ? new Date(req.query.at) : new Date()
      const onDuty = await onDutyAt(db, site.id, at)
      return {
        siteId: site.id,
        at: at.toISOString(),
        timezone: site.timezone,
        // never the webhook secret: the API does not hand out secrets
        items: onDuty.map((d) => ({
          shiftId: d.shiftId,
          userId: d.userId,
          name: d.name,
          phone: d.phone,
          email: d.email,
          webhook: d.webhook,
          language: d.language,
          from: d.from.toISOString(),
          to: d.to.toISOString(),
        })),
      }
    },
  )
}
