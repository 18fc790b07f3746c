import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { alertJson } from '../../contract/alert-json.js'
import { alertSchema } from '../../contract/api-schemas.js'
import { HubError, notFound } from '../../errors.js'
import { markFire } from '../../fire/marks.js'
import { resendFireSignal } from '../../fire/resend.js'
import { newId } from '../../ids.js'
import { centres } from '../../store/centres.js'
import { withTransaction } from '../../store/db.js'
import { cancelCentreSignals } from '../../store/fire-signal-log.js'
import { sites } from '../../store/provisioning.js'
import { noPrivateTarget } from '../contact-fields.js'
import { emptyBodyIsAbsent } from '../optional-body.js'
import { page, pageQuery } from '../paging.js'
import { aList, anObject, aRecord } from '../response-schemas.js'
import { inScope } from '../scope.js'

// Fire monitoring (CONTRACT.md, "Fire-monitoring centres"): the centres an institution forwards to, and the
// staff's verdict on a fire alarm (confirmed, or a false alarm with its reason), both forwarded to the centres.

// zod runs these refinements even on a string its url() check refused: parse without throwing
const parsedUrl = (u: string) => (URL.canParse(u) ? new URL(u) : null)
const centreUrl = z
  .string()
  .max(2000)
  .url()
  .refine(
    (u) => /^(https?|mqtts?):$/.test(parsedUrl(u)?.protocol ?? ''),
    'http(s)://… or mqtt(s)://host:port/topic',
  )
  .refine(
    (u) => !/^mqtts?:$/.test(parsedUrl(u)?.protocol ?? '') || (parsedUrl(u)?.pathname.length ?? 0) > 1,
    'an mqtt URL needs a topic',
  )
  .refine(noPrivateTarget.check, noPrivateTarget.params)
const centreBody = z.object({
  name: z.string().min(1).max(200),
  url: centreUrl,
  secret: z.string().min(8).max(200).optional(),
})
const siteParams = z.object({ id: z.string().max(100) })
const centreParams = siteParams.extend({ centreId: z.string().max(100) })
const alertParams = z.object({ id: z.string().max(100) })

export async function fireRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, alerts, notificationsQueued } = app.deps
  const tags = ['fire']
  // confirm-fire's body is optional
  emptyBodyIsAbsent(app)

  async function institution(req: FastifyRequest, id: string) {
    const site = await sites.get(db, id, req.scope.siteIds)
    if (!site) throw notFound('site', id)
    if (site.kind !== 'institution') {
      throw new HubError('HUB_ERR_CONFLICT', 'monitoring centres belong to institutions, not homes')
    }
    return site
  }

  async function centreOf(req: FastifyRequest, siteId: string, centreId: string) {
    const c = await centres.get(db, centreId)
    if (!c || c.siteId !== siteId || !inScope(req.scope, siteId))
      throw notFound('monitoring centre', centreId)
    return c
  }

  const path = '/sites/:id/monitoring-centres'
  app.post(
    path,
    {
      schema: {
        response: { 201: aRecord },
        tags,
        params: siteParams,
        body: centreBody,
      },
    },
    async (req, reply) => {
      await institution(req, req.params.id)
      const created = await centres.insert(db, newId('mc'), { ...req.body, siteId: req.params.id })
      return reply.code(201).send(created)
    },
  )

  app.get(
    path,
    {
      schema: {
        response: { 200: aList },
        tags,
        params: siteParams,
        querystring: z.object(pageQuery),
      },
    },
    async (req) => {
      await institution(req, req.params.id)
      const { items } = await centres.list(db, { siteId: req.params.id }, req.query.limit)
      return page(items, undefined)
    },
  )

  app.get(
    `${path}/:centreId`,
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: centreParams,
      },
    },
    async (req) => centreOf(req, req.params.id, req.params.centreId),
  )

  app.patch(
    `${path}/:centreId`,
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: centreParams,
        body: centreBody.partial().strict(),
      },
    },
    async (req) => {
      await centreOf(req, req.params.id, req.params.centreId)
      return centres.patch(db, req.params.centreId, req.body)
    },
  )

  app.delete(
    `${path}/:centreId`,
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: centreParams,
      },
    },
    async (req) => {
      const c = await centreOf(req, req.params.id, req.params.centreId)
      // its queued signals go with it, or the outbox would retry an address nobody answers for ever
      await withTransaction(db, async (tx) => {
        await cancelCentreSignals(tx, c, req.user!.username, new Date())
        await centres.remove(tx, c.id)
      })
      return c
    },
  )

  const mark = (kind: 'fire-confirmed' | 'false-alarm') => async (req: FastifyRequest) => {
    const { id } = req.params as { id: string }
    const body = (req.body ?? {}) as { note?: string; reason?: string }
    const alert = await markFire(alerts, id, kind, req.user!.username, body.reason ?? body.note, (a) =>
      inScope(req.scope, a.siteId),
    )
    return alertJson(alert)
  }
  app.post(
    '/alerts/:id/confirm-fire',
    {
      schema: {
        tags,
        params: alertParams,
        body: z
          .object({ note: z.string().max(2000).optional() })
          .strict()
          .nullish(),
        response: { 200: alertSchema },
      },
    },
    mark('fire-confirmed'),
  )
  app.post(
    '/alerts/:id/false-alarm',
    {
      schema: {
        tags,
        params: alertParams,
        body: z.object({ reason: z.string().min(1).max(2000) }).strict(),
        response: { 200: alertSchema },
      },
    },
    mark('false-alarm'),
  )

  // a signal set aside (README, "Fire monitoring"): queued again once staff have fixed what stopped it
  app.post(
    '/alerts/:id/resend-fire-signal',
    {
      schema: {
        tags,
        params: alertParams,
        response: { 200: anObject },
      },
    },
    async (req) => {
      const resent = await resendFireSignal(db, req.params.id, req.user!.username, (siteId) =>
        inScope(req.scope, siteId),
      )
      notificationsQueued()
      return { alertId: req.params.id, signal: resent.kind, centres: resent.centres }
    },
  )
}
