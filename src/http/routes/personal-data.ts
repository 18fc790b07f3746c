import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { notFound } from '../../errors.js'
import { eraseResident, exportResident } from '../../store/personal-data.js'

// A resident's personal data on request (the data subject's rights; ETSI EN 303 645 provision 5.11): all of it as
// JSON, or erased for good. Admins only; both are in the access audit.

/** an export holds at most this many readings, the newest (the export says when there were more) */
export const EXPORT_READINGS_MAX = 100_000

const idParams = z.object({ id: z.string().max(100) })
const rows = z.array(z.record(z.string(), z.unknown()))
const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema }

export async function personalDataRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, alerts } = app.deps
  const tags = ['residents', 'personal data']

  app.get(
    '/residents/:id/export',
    {
      schema: {
        tags,
        description:
          'everything the hub holds about the resident, table by table as stored: the resident, visits, devices, alerts and their history, notifications, device events and readings, and who read the record',
        params: idParams,
        response: {
          200: z.object({
            exportedAt: z.string(),
            resident: z.record(z.string(), z.unknown()),
            visits: rows,
            devices: rows,
            alerts: rows,
            alertHistory: rows,
            notifications: rows,
            events: rows,
            readings: rows,
            readingsTruncated: z.boolean(),
            accessLog: rows,
          }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const data = await exportResident(db, req.params.id, EXPORT_READINGS_MAX)
      if (!data) throw notFound('resident', req.params.id)
      reply.header('content-disposition', `attachment; filename="resident-${req.params.id}.json"`)
      return { exportedAt: new Date().toISOString(), ...data }
    },
  )

  app.post(
    '/residents/:id/erase',
    {
      schema: {
        tags,
        description:
          'erases the resident for good: the resident, visits, device events and readings are deleted, alerts are kept anonymised for statistics, devices stay unassigned',
        params: idParams,
        response: {
          200: z.object({
            id: z.string(),
            erasedAt: z.string(),
            alerts: z.number().int(),
            devices: z.number().int(),
            visits: z.number().int(),
            events: z.number().int(),
            readings: z.number().int(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      // through the runner: alerts are written in its transaction skeleton, like every alert change
      const { result } = await alerts.run(async (work) => ({
        at: work.now,
        counts: await eraseResident(work.tx, req.params.id, work.now),
      }))
      if (!result.counts) throw notFound('resident', req.params.id)
      return { id: req.params.id, erasedAt: result.at.toISOString(), ...result.counts }
    },
  )
}
