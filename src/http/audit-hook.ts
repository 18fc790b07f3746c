import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type AuditEntry, appendAudit } from '../store/audit.js'

// One hook audits the whole API, so no route can forget to: every change by a signed-in user (and every login
// attempt), every read of a resident's record and of the audit itself — who, what, when, from where, and the
// answer's status. Written once the answer is sent: bodies are never recorded (no passwords, no health data).

const PREFIX = '/api/v1'
/** reads that are audited: a resident's record (and what hangs off it) and the audit log itself */
const auditedReads = [/^\/residents(\/|$)/, /^\/audit(\/|$)/]
/** changes audited without a signed-in user: logins (with the username tried), joins, family acknowledgements */
const LOGIN = '/auth/login'
const PUBLIC_CHANGES = [LOGIN, '/auth/join', '/family-ack/:token']

const createdIds = new WeakMap<FastifyRequest, string>()

/** What an answered request is, for the audit; null when it is not audited. */
export function auditEntry(req: FastifyRequest, status: number, at: Date): AuditEntry | null {
  const route = req.routeOptions.url
  if (!route?.startsWith(PREFIX)) return null
  const path = route.slice(PREFIX.length)
  const read = req.method === 'GET' || req.method === 'HEAD'
  if (read && !auditedReads.some((r) => r.test(path))) return null
  const user = req.user
  let username = user?.username ?? null
  if (!user) {
    if (!PUBLIC_CHANGES.includes(path) || read) return null
    const claimed = (req.body as { username?: unknown } | undefined)?.username
    username = path === LOGIN && typeof claimed === 'string' ? claimed.slice(0, 100) : null
  }
  const params = (req.params ?? {}) as Record<string, string>
  // the object acted on: the route's last path parameter, else what a create answered with
  const paramNames = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!)
  const lastParam = paramNames.at(-1)
  const targetType = path.split('/')[1] || null
  const targetId =
    (lastParam === 'token' ? null : lastParam && params[lastParam]) || createdIds.get(req) || null
  const residentId =
    targetType === 'residents' ? (params.id ?? (req.method === 'POST' ? targetId : null)) : null
  return {
    at,
    userId: user?.id ?? null,
    username,
    role: user?.role ?? null,
    ip: req.ip,
    method: req.method,
    route,
    action: `${req.method} ${path}`,
    targetType,
    targetId,
    residentId,
    status,
  }
}

export const auditPlugin = fp(async (app) => {
  app.addHook('onSend', async (req, reply, payload) => {
    // a create answers with the new object's id: that is what was acted on
    if (reply.statusCode === 201 && typeof payload === 'string' && payload.startsWith('{')) {
      try {
        const id = (JSON.parse(payload) as { id?: unknown }).id
        if (typeof id === 'string') createdIds.set(req, id)
      } catch {}
    }
    return payload
  })
  app.addHook('onResponse', async (req, reply) => {
    const entry = auditEntry(req, reply.statusCode, new Date())
    if (!entry) return
    await appendAudit(app.deps.db, [entry]).catch((err) =>
      req.log.error({ err, audit: entry }, 'an audit entry could not be written'),
    )
  })
})
