import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { detectorState } from '../../core/detector-state.js'
import { HubError } from '../../errors.js'
import { detectorRows, type FireEvent, fireEvents } from '../../store/fire-views.js'
import { placeKinds } from '../../store/places.js'
import { devices } from '../../store/provisioning.js'
import { toCsv } from '../csv.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { aCsvFile, aList } from '../response-schemas.js'
import { siteParams, visibleSite } from '../site-access.js'
import { rangeQuery, timeRange } from '../time-range.js'

// An institution's fire-safety views: the live state of every detector, and the fire-event log for
// inspections, as JSON pages or one CSV file. Every role reads (staff at their own sites).

/** At most this many rows in one CSV export: narrow from/to for more. */
export const MAX_EXPORT_ROWS = 100_000
const DEFAULT_RANGE_MS = 30 * 86_400_000

const csvColumns = [
  'at',
  'source',
  'kind',
  'state',
  'deviceId',
  'deviceType',
  ...placeKinds,
  'alertId',
  'alertType',
  'actor',
  'note',
] as const

const flat = (e: FireEvent) => ({ ...e, ...e.location })

export async function fireViewRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps
  const tags = ['fire safety']

  app.get(
    '/sites/:id/detectors',
    {
      schema: {
        response: { 200: aList },
        tags,
        params: siteParams,
        querystring: z.object(pageQuery),
      },
    },
    async (req) => {
      const site = await visibleSite(db, req, req.params.id)
      const after = decodeCursor(req.query.cursor, z.object({ c: z.string(), id: z.string() }))
      const { rows, next } = await detectorRows(db, site.id, req.query.limit, after)
      const items = rows.map((r) => {
        const d = devices.toJson(r)
        const alerts = r.alerts as { id: string; type: string; priority: number; state: string }[]
        return {
          id: d.id,
          type: d.type,
          location: d.location,
          state: detectorState(d.type, d.online, alerts),
          online: d.online,
          battery: d.battery,
          lastSeen: d.lastSeen,
          alerts,
        }
      })
      return page(items, next)
    },
  )

  app.get(
    '/sites/:id/fire-events',
    {
      schema: {
        response: { 200: aList },
        tags,
        params: siteParams,
        querystring: z.object({ ...rangeQuery, ...pageQuery }),
      },
    },
    async (req) => {
      const site = await visibleSite(db, req, req.params.id)
      const after = decodeCursor(req.query.cursor, z.object({ at: z.string(), key: z.string() }))
      const { items, next } = await fireEvents(
        db,
        site.id,
        timeRange(req.query, DEFAULT_RANGE_MS),
        req.query.limit,
        after,
      )
      return page(items, next)
    },
  )

  app.get(
    '/sites/:id/fire-events.csv',
    {
      schema: {
        response: { 200: aCsvFile },
        tags,
        description: `the fire-event log as CSV (UTF-8 with BOM), at most ${MAX_EXPORT_ROWS} rows`,
        params: siteParams,
        querystring: z.object(rangeQuery),
      },
    },
    async (req, reply) => {
      const site = await visibleSite(db, req, req.params.id)
      const { from, to } = timeRange(req.query, DEFAULT_RANGE_MS)
      const { items, next } = await fireEvents(db, site.id, { from, to }, MAX_EXPORT_ROWS)
      if (next) {
        throw new HubError('HUB_ERR_VALIDATION', `more than ${MAX_EXPORT_ROWS} events: narrow from/to`, [
          { field: 'querystring.from', message: `the range holds more than ${MAX_EXPORT_ROWS} events` },
        ])
      }
      const name = `fire-events-${site.id}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv`
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(toCsv(csvColumns, items.map(flat)))
    },
  )
}
