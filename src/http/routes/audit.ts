import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { type AuditRow, listAudit } from '../../store/audit.js'
import { toCsv } from '../csv.js'
import { sendCsv } from '../csv-reply.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { rangeQuery } from '../time-range.js'

// The access audit, for admins: newest first, filtered, paged; or one CSV file of everything matching.

/** a CSV export holds at most this many entries (narrow the filters for more) */
export const AUDIT_CSV_MAX = 100_000
const CSV_PAGE = 1000

const id = z.string().max(100)
const auditQuery = z.object({
  ...rangeQuery,
  userId: id.optional(),
  username: id.optional(),
  residentId: id.optional(),
  targetId: id.optional(),
  action: z.string().max(300).optional().describe('e.g. "POST /alerts/:id/ack"'),
  method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']).optional(),
  ...pageQuery,
  format: z.enum(['json', 'csv']).default('json').describe(`csv: every match, at most ${AUDIT_CSV_MAX}`),
})

const entrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  role: z.string().nullable(),
  ip: z.string(),
  method: z.string(),
  route: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  residentId: z.string().nullable(),
  status: z.number().int(),
})

const columns: (keyof AuditRow)[] = [
  'id',
  'at',
  'userId',
  'username',
  'role',
  'ip',
  'method',
  'action',
  'targetType',
  'targetId',
  'residentId',
  'status',
]

export async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps

  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        description:
          'who did what, when, from where: every change and every read of a resident record, newest first (append-only)',
        querystring: auditQuery,
        response: {
          200: z.object({ items: z.array(entrySchema), nextCursor: z.string().optional() }),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { limit, cursor, format, from, to, ...rest } = req.query
      const filter = {
        ...rest,
        from: from === undefined ? undefined : new Date(from),
        to: to === undefined ? undefined : new Date(to),
      }
      if (format === 'json') {
        const before = decodeCursor(cursor, z.number().int())
        const { items, next } = await listAudit(db, filter, limit, before)
        return page(items, next)
      }
      const rows: AuditRow[] = []
      let before: number | undefined
      do {
        const { items, next } = await listAudit(db, filter, CSV_PAGE, before)
        rows.push(...items)
        before = next
      } while (before !== undefined && rows.length < AUDIT_CSV_MAX)
      return sendCsv(reply, 'audit.csv', toCsv(columns, rows.slice(0, AUDIT_CSV_MAX)))
    },
  )
}
