import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { HubError } from '../../errors.js'
import type { Db } from '../../store/db.js'
import { alertCounts, falseAlarmCounts, responseFigures, type StatsScope } from '../../store/stats.js'
import { toCsv } from '../csv.js'
import { visibleSite } from '../site-access.js'
import { rangeQuery, timeRange, timeZone } from '../time-range.js'

// Service statistics for supervisors and inspections: alert volumes, response times against the telecare
// targets, false-alarm rates. JSON by default, one CSV file with ?format=csv. Staff see their sites only.

const DEFAULT_RANGE_MS = 7 * 86_400_000
/** more buckets than this is a question to ask with a coarser bucket or a shorter range */
const MAX_BUCKETS = 1000
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const
/** Social-alarm receiving centres: 97.5% of calls answered within 60 s, 99% within 180 s (UK telecare code). */
export const TELECARE_TARGETS = { within60s: 0.975, within180s: 0.99 } as const

const format = z.enum(['json', 'csv']).default('json').describe('csv: one file, UTF-8 with BOM')
const maxPriority = z.coerce
  .number()
  .int()
  .min(1)
  .max(4)
  .default(2)
  .describe('alerts of this priority or higher; default 2: fire, SOS, falls')
const scopeQuery = { ...rangeQuery, siteId: z.string().max(100).optional(), format }

const ts = z.string().describe('ISO-8601 UTC')
const share = z.number().nullable().describe('0..1; null when there were no alerts')
const percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable() }).describe('seconds')
const target = z.object({ count: z.number().int(), share, target: z.number(), met: z.boolean().nullable() })

const alertStatsSchema = z.object({
  from: ts,
  to: ts,
  bucket: z.enum(['hour', 'day']),
  timeZone: z.string(),
  total: z.number().int(),
  items: z.array(
    z.object({ bucket: ts, siteId: z.string().nullable(), type: z.string(), count: z.number().int() }),
  ),
})
const responseStatsSchema = z.object({
  from: ts,
  to: ts,
  maxPriority: z.number().int(),
  alerts: z.number().int(),
  acknowledged: z.number().int(),
  resolved: z.number().int(),
  timeToAcknowledge: percentiles,
  timeToResolve: percentiles,
  within60s: target,
  within180s: target,
})
const falseAlarmRow = z.object({
  deviceType: z.string(),
  resolved: z.number().int(),
  falseAlarms: z.number().int(),
  rate: share,
})
const falseAlarmStatsSchema = z.object({
  from: ts,
  to: ts,
  maxPriority: z.number().int(),
  total: falseAlarmRow.omit({ deviceType: true }),
  items: z.array(falseAlarmRow),
})
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema }

/** The alerts a caller may count: one visible site, else a staff user's sites, else all. */
async function statsScope(db: Db, req: FastifyRequest, q: { from?: string; to?: string; siteId?: string }) {
  const scope: StatsScope = timeRange(q, DEFAULT_RANGE_MS)
  if (q.siteId !== undefined) scope.siteId = (await visibleSite(db, req, q.siteId)).id
  else scope.siteIds = req.scope.siteIds
  return scope
}

const ratio = (n: number, of: number) => (of === 0 ? null : n / of)

function sendCsv(reply: FastifyReply, name: string, s: StatsScope, columns: string[], rows: object[]) {
  const file = `${name}-${s.from.toISOString().slice(0, 10)}-${s.to.toISOString().slice(0, 10)}.csv`
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file}"`)
    .send(toCsv(columns, rows as Record<string, unknown>[]))
}

export async function statsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps
  const tags = ['statistics']

  app.get(
    '/stats/alerts',
    {
      schema: {
        tags,
        description: 'alerts opened per bucket, site and type (buckets with none are left out)',
        querystring: z.object({
          ...scopeQuery,
          bucket: z.enum(['hour', 'day']).default('day'),
          timeZone: timeZone.default('UTC').describe('where an hour or a day starts'),
        }),
        response: { 200: alertStatsSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { bucket, timeZone: tz } = req.query
      const scope = await statsScope(db, req, req.query)
      if ((scope.to.getTime() - scope.from.getTime()) / BUCKET_MS[bucket] > MAX_BUCKETS) {
        throw new HubError('HUB_ERR_VALIDATION', `more than ${MAX_BUCKETS} buckets: narrow from/to`, [
          { field: 'querystring.bucket', message: `more than ${MAX_BUCKETS} ${bucket}s between from and to` },
        ])
      }
      const items = (await alertCounts(db, scope, bucket, tz)).map((r) => ({
        ...r,
        bucket: r.bucket.toISOString(),
      }))
      if (req.query.format === 'csv') {
        return sendCsv(reply, 'alert-counts', scope, ['bucket', 'siteId', 'type', 'count'], items)
      }
      const total = items.reduce((n, r) => n + r.count, 0)
      return {
        from: scope.from.toISOString(),
        to: scope.to.toISOString(),
        bucket,
        timeZone: tz,
        total,
        items,
      }
    },
  )

  app.get(
    '/stats/response',
    {
      schema: {
        tags,
        description:
          'time to acknowledge and to resolve (p50, p90, seconds) and the shares acknowledged within 60 s and 180 s against the telecare targets (97.5%, 99%)',
        querystring: z.object({ ...scopeQuery, maxPriority }),
        response: { 200: responseStatsSchema, ...errors },
      },
    },
    async (req, reply) => {
      const scope = { ...(await statsScope(db, req, req.query)), maxPriority: req.query.maxPriority }
      const f = await responseFigures(db, scope)
      const within = (count: number, goal: number) => {
        const s = ratio(count, f.alerts)
        return { count, share: s, target: goal, met: s === null ? null : s >= goal }
      }
      const body = {
        from: scope.from.toISOString(),
        to: scope.to.toISOString(),
        maxPriority: scope.maxPriority,
        alerts: f.alerts,
        acknowledged: f.acknowledged,
        resolved: f.resolved,
        timeToAcknowledge: { p50: f.ackP50, p90: f.ackP90 },
        timeToResolve: { p50: f.resolveP50, p90: f.resolveP90 },
        within60s: within(f.within60, TELECARE_TARGETS.within60s),
        within180s: within(f.within180, TELECARE_TARGETS.within180s),
      }
      if (req.query.format === 'json') return body
      // one flat row: a spreadsheet has no nested cells
      const row = {
        from: body.from,
        to: body.to,
        maxPriority: body.maxPriority,
        alerts: f.alerts,
        acknowledged: f.acknowledged,
        resolved: f.resolved,
        ackP50Seconds: f.ackP50,
        ackP90Seconds: f.ackP90,
        resolveP50Seconds: f.resolveP50,
        resolveP90Seconds: f.resolveP90,
        within60sShare: body.within60s.share,
        within60sTarget: body.within60s.target,
        within60sMet: body.within60s.met,
        within180sShare: body.within180s.share,
        within180sTarget: body.within180s.target,
        within180sMet: body.within180s.met,
      }
      return sendCsv(reply, 'response-times', scope, Object.keys(row), [row])
    },
  )

  app.get(
    '/stats/false-alarms',
    {
      schema: {
        tags,
        description:
          'resolved device alerts per device type and the share that were false alarms (outcome "false-alarm", or a fire alarm marked false)',
        querystring: z.object({ ...scopeQuery, maxPriority }),
        response: { 200: falseAlarmStatsSchema, ...errors },
      },
    },
    async (req, reply) => {
      const scope = { ...(await statsScope(db, req, req.query)), maxPriority: req.query.maxPriority }
      const rows = await falseAlarmCounts(db, scope)
      const items = rows.map((r) => ({ ...r, rate: ratio(r.falseAlarms, r.resolved) }))
      if (req.query.format === 'csv') {
        return sendCsv(reply, 'false-alarms', scope, ['deviceType', 'resolved', 'falseAlarms', 'rate'], items)
      }
      const resolved = rows.reduce((n, r) => n + r.resolved, 0)
      const falseAlarms = rows.reduce((n, r) => n + r.falseAlarms, 0)
      return {
        from: scope.from.toISOString(),
        to: scope.to.toISOString(),
        maxPriority: scope.maxPriority,
        total: { resolved, falseAlarms, rate: ratio(falseAlarms, resolved) },
        items,
      }
    },
  )
}
