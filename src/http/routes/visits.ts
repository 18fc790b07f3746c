import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { DateTime } from 'luxon'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { visitRate } from '../../core/visit-rate.js'
import { notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import type { Queryable } from '../../store/db.js'
import { residents } from '../../store/provisioning.js'
import { dueResidents, insertVisit, listVisits, type VisitCursor } from '../../store/visits.js'
import { resolveNoContact } from '../../supervision/no-contact-watch.js'
import { toCsv } from '../csv.js'
import { sendCsv } from '../csv-reply.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { visibleSite } from '../site-access.js'

// Welfare visits (探访关爱): recorded per resident by whoever visited or called; the monthly visit rate over
// special-difficulty residents, per site and district, against the 100% target, with who is still to visit.

const idParams = z.object({ id: z.string().max(100) })
const text = (max: number) => z.string().trim().min(1).max(max)

const visitBody = z
  .object({
    at: z.iso
      .datetime({ offset: true })
      .refine((v) => Date.parse(v) <= Date.now() + 300_000, 'is in the future'),
    visitor: text(200).describe('who visited or called'),
    kind: z.enum(['in-person', 'phone', 'video']),
    findings: text(5000).optional(),
    followUp: z.boolean().optional().describe('follow-up needed (default false)'),
  })
  .strict()

const visitSchema = z.object({
  id: z.string(),
  residentId: z.string(),
  at: z.string(),
  visitor: z.string(),
  kind: z.enum(['in-person', 'phone', 'video']),
  findings: z.string().nullable(),
  followUp: z.boolean(),
  recordedBy: z.string(),
  createdAt: z.string(),
})

const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
  .describe("YYYY-MM, read in each site's time zone; default: this month")

const rate = {
  due: z.number().int(),
  visited: z.number().int(),
  rate: z.number().nullable().describe('0..1; null when nobody was due'),
  met: z.boolean().nullable(),
}
const visitStatsSchema = z.object({
  month: z.string(),
  ...rate,
  target: z.number(),
  sites: z.array(
    z.object({ siteId: z.string(), name: z.string(), district: z.string().nullable(), ...rate }),
  ),
  districts: z.array(z.object({ district: z.string().nullable(), ...rate })),
  notVisited: z.array(z.object({ residentId: z.string(), name: z.string(), siteId: z.string() })),
})
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema }

async function visibleResident(db: Queryable, req: FastifyRequest, id: string) {
  const found = await residents.get(db, id, req.scope.siteIds)
  if (!found) throw notFound('resident', id)
  return found
}

export async function visitRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, alerts } = app.deps
  const noContactAfterMs = app.deps.noContactAfterMs ?? 30 * 86_400_000
  const tags = ['visits']

  app.post(
    '/residents/:id/visits',
    {
      schema: {
        tags,
        description: 'records a welfare visit (in person, by phone or video); resolves a no-contact alert',
        params: idParams,
        body: visitBody,
        response: { 201: visitSchema, ...errors },
      },
    },
    async (req, reply) => {
      const resident = await visibleResident(db, req, req.params.id)
      const { result } = await alerts.run(async (work) => {
        const visit = await insertVisit(work.tx, {
          ...req.body,
          id: newId('vis'),
          residentId: resident.id,
          at: new Date(req.body.at),
          recordedBy: req.user!.username,
        })
        // a visit recorded late, older than the no-contact period, is no contact now
        if (work.now.getTime() - Date.parse(req.body.at) < noContactAfterMs) {
          await resolveNoContact(work, resident.id, 'visited')
        }
        return visit
      })
      return reply.code(201).send(result)
    },
  )

  app.get(
    '/residents/:id/visits',
    {
      schema: {
        tags,
        description: "the resident's visits, newest first",
        params: idParams,
        querystring: z.object(pageQuery),
        response: {
          200: z.object({ items: z.array(visitSchema), nextCursor: z.string().optional() }),
          ...errors,
        },
      },
    },
    async (req) => {
      await visibleResident(db, req, req.params.id)
      const after = decodeCursor<VisitCursor>(req.query.cursor, z.object({ at: z.string(), id: z.string() }))
      const { items, next } = await listVisits(db, req.params.id, req.query.limit, after)
      return page(items, next)
    },
  )

  app.get(
    '/stats/visits',
    {
      schema: {
        tags: ['statistics', ...tags],
        description:
          'the monthly visit rate over special-difficulty residents (target 100%), per site and district, and who was not visited',
        querystring: z.object({
          month: month.optional(),
          siteId: z.string().max(100).optional(),
          format: z.enum(['json', 'csv']).default('json').describe('csv: one row per resident due'),
        }),
        response: { 200: visitStatsSchema, ...errors },
      },
    },
    async (req, reply) => {
      const site = req.query.siteId === undefined ? null : await visibleSite(db, req, req.query.siteId)
      const m =
        req.query.month ??
        DateTime.now()
          .setZone(site?.timezone ?? 'UTC')
          .toFormat('yyyy-MM')
      const [year, mon] = m.split('-').map(Number) as [number, number]
      const rows = await dueResidents(db, year, mon, site ? [site.id] : req.scope.siteIds)
      if (req.query.format === 'csv') {
        const columns = ['month', 'district', 'siteId', 'site', 'residentId', 'name', 'visits', 'lastVisitAt']
        const out = rows.map((r) => ({ ...r, month: m, site: r.siteName }))
        return sendCsv(reply, `visits-${m}.csv`, toCsv(columns, out))
      }
      return { month: m, ...visitRate(rows) }
    },
  )
}
