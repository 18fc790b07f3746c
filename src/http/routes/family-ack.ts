import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notificationJson } from '../../contract/notification-json.js'
import { type AckView, ackPage, verifyAckToken } from '../../notify/ack-link.js'
import type { NotificationMessage } from '../../notify/channel.js'
import { getAlert } from '../../store/alerts.js'
import { recordContactAck } from '../../store/escalations.js'
import { cancelContactNotifications, getNotification, type Notification } from '../../store/notifications.js'

// The "I'm on my way" link in a family notification: no login, the signed token is the credential. A GET only
// shows a page with a button (messaging apps open links to preview them); the POST records the contact's
// acknowledgement in the alert's history and stops that contact's reminders. The alert stays open.

const params = z.object({ token: z.string().max(200) })

// family notifications carry the NotificationMessage (fire signals go to centres, never to families)
const summaryOf = (n: Notification) => {
  const m = n.message as NotificationMessage
  return { type: m.type, residentName: m.resident?.name, siteName: m.site?.name }
}

export async function familyAckRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, alerts, secretKey } = app.deps
  // the page's form posts `ack=1`; nothing in it is read
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  )
  const schema = { tags: ['escalation'], params, hide: true }

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
    return { n: { ...n, alertId: n.alertId } }
  }

  app.get('/family-ack/:token', { schema }, async (req, reply) => {
    const r = await resolve(req.params.token)
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
    if (!r.n) return reply.code(r.status).send(ackPage('zh-CN', r.view))
    const summary = summaryOf(r.n)
    const view: AckView = r.n.acknowledgedAt
      ? { kind: 'already', summary }
      : { kind: 'confirm', summary, action: req.url.split('?')[0]! }
    return reply.send(ackPage(r.n.recipient.language, view))
  })

  app.post('/family-ack/:token', { schema }, async (req, reply) => {
    const r = await resolve(req.params.token)
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
    if (!r.n) return reply.code(r.status).send(ackPage('zh-CN', r.view))
    const n = r.n
    const contact = n.recipient.contact!
    const { result: first } = await alerts.run(async (work) => {
      const alert = await getAlert(work.tx, n.alertId, true)
      if (!alert || !(await recordContactAck(work.tx, n.alertId, contact))) return false
      const cancelled = await cancelContactNotifications(work.tx, n.alertId, contact, work.now)
      work.decide(alert, {
        kind: 'contact-ack',
        contact: n.recipient.name,
        data: { notificationId: n.id, contact },
      })
      work.feed.push(
        ...cancelled.map((c) => ({ kind: 'notification.updated' as const, data: notificationJson(c) })),
      )
      return true
    })
    return reply.send(
      ackPage(n.recipient.language, { kind: first ? 'done' : 'already', summary: summaryOf(n) }),
    )
  })
}
