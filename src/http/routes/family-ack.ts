import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notificationJson } from '../../contract/notification-json.js'
import type { Alert } from '../../core/alert.js'
import { verifyAckToken } from '../../notify/ack-link.js'
import { type AckSummary, type AckView, ackPage, handlingOf } from '../../notify/ack-page.js'
import type { Language, NotificationMessage } from '../../notify/channel.js'
import { getAlert } from '../../store/alerts.js'
import { recordContactAck } from '../../store/escalations.js'
import { cancelContactNotifications, getNotification, type Notification } from '../../store/notifications.js'
import { displayNames, languages } from '../../store/users.js'

// The "I'm on my way" link in a family notification: no login, the signed token is the credential. A GET only
// shows a page with the alert, its handling so far and a button (messaging apps open links to preview them);
// the POST records the contact's acknowledgement in the alert's history and stops that contact's reminders.
// The alert stays open for the call centre.

const params = z.object({ token: z.string().max(200) })
// the recipient's language unless the page's language link asks for the other
const query = z.object({ lang: z.enum(languages).optional() })

type FamilyNotification = Notification & { alertId: string }

export async function familyAckRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, alerts, secretKey } = app.deps
  // the page's form posts `ack=1`; nothing in it is read
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  )
  const schema = { tags: ['escalation'], params, querystring: query, hide: true }

  /** The notification a token names, or the page to show instead. */
  async function resolve(token: string) {
    const check = verifyAckToken(secretKey, token, alerts.clock.now())
    if (!check.ok)
      return {
        status: check.reason === 'expired' ? 410 : 404,
        view: { kind: check.reason === 'expired' ? 'expired' : 'invalid' } as AckView,
      }
    const n = await getNotification(db, check.notificationId)
    if (!n?.alertId || n.target !== 'family' || n.recipient.contact === undefined) {
      return { status: 404, view: { kind: 'invalid' } as AckView }
    }
    return { n: { ...n, alertId: n.alertId } as FamilyNotification }
  }

  /** The alert as the family sees it: the notification's who and where, the alert's time and handling now. */
  async function summaryOf(n: FamilyNotification, alert: Alert): Promise<AckSummary> {
    // family notifications carry the NotificationMessage (fire signals go to centres, never to families)
    const m = n.message as NotificationMessage
    const actors = alert.history.flatMap((h) => (h.actor === null ? [] : [h.actor]))
    const names = await displayNames(db, [...new Set(actors)])
    return {
      type: alert.type,
      state: alert.state,
      residentName: m.resident?.name ?? null,
      siteName: m.site?.name ?? null,
      address: m.site?.address ?? null,
      location: m.device?.location ?? null,
      openedAt: alert.openedAt.toISOString(),
      timeZone: m.site?.timezone,
      // contacts' acks name the contact, operators' their user: a contact's name is no username
      handling: handlingOf(alert.history, (actor) => names.get(actor) ?? actor),
    }
  }

  /** Renders in the chosen language, with the link to the other one (the same page, `?lang=`). */
  function send(
    req: FastifyRequest,
    reply: import('fastify').FastifyReply,
    fallback: Language,
    view: AckView,
  ) {
    const { lang } = req.query as z.output<typeof query>
    const path = req.url.split('?')[0]!
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
    return reply.send(ackPage(lang ?? fallback, view, (other) => `${path}?lang=${other}`))
  }

  app.get('/family-ack/:token', { schema }, async (req, reply) => {
    const r = await resolve(req.params.token)
    if (!r.n) return send(req, reply.code(r.status), 'zh-CN', r.view)
    const alert = await getAlert(db, r.n.alertId)
    if (!alert) return send(req, reply.code(404), 'zh-CN', { kind: 'invalid' })
    const summary = await summaryOf(r.n, alert)
    const action = req.url
    const view: AckView =
      alert.state === 'resolved'
        ? { kind: 'closed', summary }
        : r.n.acknowledgedAt
          ? { kind: 'already', summary }
          : { kind: 'confirm', summary, action }
    return send(req, reply, r.n.recipient.language, view)
  })

  app.post('/family-ack/:token', { schema }, async (req, reply) => {
    const r = await resolve(req.params.token)
    if (!r.n) return send(req, reply.code(r.status), 'zh-CN', r.view)
    const n = r.n
    const contact = n.recipient.contact!
    const { result } = await alerts.run(async (work) => {
      const alert = await getAlert(work.tx, n.alertId, true)
      // a resolved alert needs nobody any more: nothing to record
      if (!alert || alert.state === 'resolved') return 'closed' as const
      if (!(await recordContactAck(work.tx, n.alertId, contact))) return 'already' as const
      const cancelled = await cancelContactNotifications(work.tx, n.alertId, contact, work.now)
      work.decide(alert, {
        kind: 'contact-ack',
        contact: n.recipient.name,
        data: { notificationId: n.id, contact },
      })
      work.feed.push(
        ...cancelled.map((c) => ({ kind: 'notification.updated' as const, data: notificationJson(c) })),
      )
      return 'done' as const
    })
    const alert = await getAlert(db, n.alertId)
    if (!alert) return send(req, reply.code(404), 'zh-CN', { kind: 'invalid' })
    return send(req, reply, n.recipient.language, { kind: result, summary: await summaryOf(n, alert) })
  })
}
