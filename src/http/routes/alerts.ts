import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { alertJson } from '../../contract/alert-json.js'
import { alertSchema, errorSchema, pageOf } from '../../contract/api-schemas.js'
import { notificationJson } from '../../contract/notification-json.js'
import { type Alert, alertActions } from '../../core/alert.js'
import { notFound } from '../../errors.js'
import { durationMs } from '../../rules/setting.js'
import { type AlertCursor, getAlert, listAlerts } from '../../store/alerts.js'
import { alertRoute } from '../../store/notifications.js'
import { MAX_SNOOZE_MS, snoozeAlert } from '../../supervision/snooze.js'
import { emptyBodyIsAbsent } from '../optional-body.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { aList } from '../response-schemas.js'
import { alertFilter, alertVisible, narrowed, shownAlert } from '../scope.js'

const cursorShape = z.object({ p: z.number(), l: z.number(), o: z.string(), id: z.string() })
const params = z.object({ id: z.string().max(100) })
const note = z.string().max(2000).optional()
/** what a command on an alert may answer besides the alert */
const commandErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
}

export async function alertRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, alerts } = app.deps
  const tags = ['alerts']
  emptyBodyIsAbsent(app)

  /** The alert, if it exists and the caller's scope holds it: another site's alert is 404 to staff. */
  async function visibleAlert(req: FastifyRequest, id: string): Promise<Alert> {
    const alert = await getAlert(db, id)
    if (!alert || !alertVisible(req.scope, alert)) throw notFound('alert', id)
    return alert
  }
  /** Staff act only on their sites' alerts. An alert's site never changes, so checking first is no race. */
  async function checkActable(req: FastifyRequest, id: string) {
    if (narrowed(req.scope)) await visibleAlert(req, id)
  }

  app.get(
    '/alerts',
    {
      schema: {
        tags,
        querystring: z.object({
          state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
          siteId: z.string().optional(),
          residentId: z.string().optional(),
          deviceId: z.string().optional(),
          type: z.string().optional(),
          ...pageQuery,
        }),
        response: { 200: pageOf(alertSchema) },
      },
    },
    async (req) => {
      const { limit, cursor, ...filter } = req.query
      const { items, next } = await listAlerts(
        db,
        { ...filter, ...alertFilter(req.scope) },
        limit,
        decodeCursor<AlertCursor>(cursor, cursorShape),
      )
      return page(
        items.map((a) => shownAlert(req.scope, alertJson(a))),
        next,
      )
    },
  )

  app.get(
    '/alerts/:id',
    { schema: { tags, params, response: { 200: alertSchema, 404: errorSchema } } },
    async (req) => shownAlert(req.scope, alertJson(await visibleAlert(req, req.params.id))),
  )

  // the route the alert took: every notification, each attempt, what each receiver confirmed
  app.get(
    '/alerts/:id/notifications',
    {
      schema: {
        response: { 200: aList },
        tags,
        params,
      },
    },
    async (req) => {
      const alert = await visibleAlert(req, req.params.id)
      const route = await alertRoute(db, alert.id)
      return { items: route.map((n) => ({ ...notificationJson(n), attemptList: n.attemptList })) }
    },
  )

  app.post(
    '/alerts/:id/ack',
    {
      schema: {
        tags,
        params,
        body: z.object({ note }).strict().nullish(),
        response: { 200: alertSchema, ...commandErrors },
      },
    },
    async (req) => {
      await checkActable(req, req.params.id)
      return alertJson(
        await alerts.command(req.params.id, {
          kind: 'ack',
          actor: req.user!.username,
          note: req.body?.note,
        }),
      )
    },
  )

  // what the operator did (a call, a dispatch), kept in the history as an `action` entry; the state stays
  app.post(
    '/alerts/:id/actions',
    {
      schema: {
        tags,
        params,
        body: z.object({ action: z.enum(alertActions), note }).strict(),
        response: { 200: alertSchema, ...commandErrors },
      },
    },
    async (req) => {
      await checkActable(req, req.params.id)
      return alertJson(
        await alerts.command(req.params.id, {
          kind: 'action',
          actor: req.user!.username,
          action: req.body.action,
          note: req.body.note,
        }),
      )
    },
  )

  app.post(
    '/alerts/:id/resolve',
    {
      schema: {
        tags,
        params,
        body: z.object({ outcome: z.string().min(1).max(64), note }).strict(),
        response: { 200: alertSchema, ...commandErrors },
      },
    },
    async (req) => {
      await checkActable(req, req.params.id)
      return alertJson(
        await alerts.command(req.params.id, {
          kind: 'resolve',
          actor: req.user!.username,
          outcome: req.body.outcome,
          note: req.body.note,
        }),
      )
    },
  )

  // a technical alert set aside for a while (README, "Device health"): recorded; its escalation waits
  app.post(
    '/alerts/:id/snooze',
    {
      schema: {
        tags,
        params,
        body: z
          .object({
            for: z
              .string()
              .regex(/^\d+[smh]$/, 'a number followed by s, m or h, e.g. 4h')
              .refine((v) => durationMs(v) >= 60_000 && durationMs(v) <= MAX_SNOOZE_MS, 'from 1m to 168h'),
            note,
          })
          .strict(),
        response: { 200: alertSchema, ...commandErrors },
      },
    },
    async (req) => {
      await checkActable(req, req.params.id)
      const { for: span, note } = req.body
      return alertJson(
        await snoozeAlert(alerts, req.params.id, {
          actor: req.user!.username,
          forMs: durationMs(span),
          note,
        }),
      )
    },
  )
}
