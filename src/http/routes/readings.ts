import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { deviceTypes } from '../../../devices/index.js'
import { notFound } from '../../errors.js'
import { deviceHealth, latestReadings } from '../../store/device-health.js'
import { devices } from '../../store/provisioning.js'
import { bucketedReadings, latestReading, rawReadings } from '../../store/readings.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { aList, anObject } from '../response-schemas.js'
import type { Scope } from '../scope.js'

// Readings: one device's series (raw or per bucket) and latest reading; the fleet's latest readings and health.

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const

/** `90s`, `15m`, `1h`, `1d` → seconds */
const bucket = z
  .string()
  .regex(/^\d+[smhd]$/, 'e.g. 1m, 1h, 1d')
  .transform((b) => Number(b.slice(0, -1)) * UNIT_SECONDS[b.at(-1) as keyof typeof UNIT_SECONDS])
  .pipe(
    z
      .number()
      .int()
      .min(1, 'at least 1s')
      .max(366 * 86_400, 'at most 366d'),
  )

export async function readingRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps

  async function device(id: string, scope: Scope) {
    const d = await devices.get(db, id, scope.siteIds)
    if (!d) throw notFound('device', id)
    return d as { id: string; type: string }
  }

  app.get(
    '/devices/:id/readings',
    {
      schema: {
        response: { 200: aList },
        tags: ['devices'],
        params: z.object({ id: z.string() }),
        querystring: z.object({
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          bucket: bucket.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(1000),
        }),
      },
    },
    async (req) => {
      const d = await device(req.params.id, req.scope)
      const to = req.query.to ? new Date(req.query.to) : new Date()
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 86_400_000)
      const { bucket, limit } = req.query
      return {
        items: bucket
          ? await bucketedReadings(db, d, from, to, bucket, limit)
          : await rawReadings(db, d, from, to, limit),
      }
    },
  )

  app.get(
    '/devices/:id/readings/latest',
    {
      schema: {
        response: { 200: anObject },
        tags: ['devices'],
        params: z.object({ id: z.string() }),
      },
    },
    async (req) => {
      const d = await device(req.params.id, req.scope)
      const reading = await latestReading(db, d)
      if (!reading) throw notFound('reading of device', d.id)
      return reading
    },
  )

  app.get(
    '/readings/latest',
    {
      schema: {
        response: { 200: aList },
        tags: ['devices'],
        querystring: z.object({
          siteId: z.string().optional(),
          type: z.enum(deviceTypes).optional(),
          ...pageQuery,
        }),
      },
    },
    async (req) => {
      const { siteId, type, limit, cursor } = req.query
      const after = decodeCursor(cursor, z.string())
      const items = await latestReadings(db, { siteId, type, sites: req.scope.siteIds, after }, limit)
      return page(items, items.length === limit ? items.at(-1)!.deviceId : undefined)
    },
  )

  app.get(
    '/stats/device-health',
    {
      schema: {
        response: { 200: aList },
        tags: ['devices'],
        querystring: z.object({ siteId: z.string().optional() }),
      },
    },
    async (req) => ({ items: await deviceHealth(db, req.scope.siteIds, req.query.siteId) }),
  )
}
