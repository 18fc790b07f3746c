import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { type Access, clusterAuth } from '../../broker/cluster-auth.js'
import { hashDeviceSecret, verifyDeviceSecret } from '../../broker/device-secret.js'
import { errorSchema } from '../../contract/api-schemas.js'
import { bearer } from '../tokens.js'

// Device authentication and authorization for an external MQTT cluster, in the shape of EMQX's HTTP
// authenticator and authorizer (each answers 200 with "allow" or "deny"). Only the cluster may call them:
// Authorization: Bearer HUB_BROKER_AUTH_TOKEN; without the variable they do not exist. mosquitto-go-auth's
// HTTP backend sends no headers and reads `{ ok, error }`: it calls them with `?format=go-auth&token=…` and
// its `acc` numbers (1 read, 2 write, 3 both, 4 subscribe).

const query = z.object({
  format: z.enum(['emqx', 'go-auth']).default('emqx'),
  token: z.string().optional().describe('for mosquitto-go-auth only, which cannot send a header'),
})
const authBody = z.looseObject({
  clientid: z.string().default(''),
  username: z.string().default(''),
  password: z.string().default(''),
})
const aclBody = z
  .looseObject({
    clientid: z.string().default(''),
    username: z.string(),
    topic: z.string().min(1),
    action: z.enum(['publish', 'subscribe']).optional(),
    acc: z.coerce.number().int().min(1).max(4).optional(),
  })
  .refine((b) => b.action !== undefined || b.acc !== undefined, 'action (EMQX) or acc (go-auth) is required')
const answer = z.union([
  z.object({ result: z.enum(['allow', 'deny']), is_superuser: z.boolean().optional() }),
  z.object({ ok: z.boolean(), error: z.string() }),
])

const accesses: Record<number, Access[]> = {
  1: ['subscribe'],
  2: ['publish'],
  3: ['subscribe', 'publish'],
  4: ['subscribe'],
}

function verdict(format: 'emqx' | 'go-auth', allow: boolean, superuser = false) {
  if (format === 'go-auth') return { ok: allow, error: allow ? '' : 'denied' }
  return { result: allow ? ('allow' as const) : ('deny' as const), ...(superuser && { is_superuser: true }) }
}

export async function brokerAuthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const token = app.deps.brokerAuthToken
  if (!token) return
  const expected = hashDeviceSecret(token, token)
  const auth = clusterAuth(app.deps.db, app.deps.secretKey, token)

  const onlyTheCluster = async (req: FastifyRequest, reply: FastifyReply) => {
    const given = bearer(req.headers.authorization) ?? (req.query as { token?: string }).token
    if (!given || !verifyDeviceSecret(token, Buffer.from(given), expected)) {
      return reply.code(401).send({
        error: 'HUB_ERR_UNAUTHORIZED',
        message: 'Authorization: Bearer HUB_BROKER_AUTH_TOKEN is required',
      })
    }
  }
  const schema = (summary: string, body: z.ZodType) => ({
    tags: ['broker'],
    summary,
    querystring: query,
    body,
    response: { 200: answer, 400: errorSchema, 401: errorSchema },
  })

  app.post(
    '/broker/auth',
    { onRequest: onlyTheCluster, schema: schema('a device (or hub) CONNECT at the MQTT cluster', authBody) },
    async (req) => {
      const { username, password } = req.body as z.output<typeof authBody>
      const who = await auth.authenticate(username, password)
      return verdict(req.query.format, who !== null, who === 'hub')
    },
  )

  app.post(
    '/broker/acl',
    { onRequest: onlyTheCluster, schema: schema('a publish or subscribe at the MQTT cluster', aclBody) },
    async (req) => {
      const b = req.body as z.output<typeof aclBody>
      const wanted = b.action ? [b.action] : accesses[b.acc!]!
      const allowed = await Promise.all(wanted.map((a) => auth.authorize(b.username, b.topic, a)))
      return verdict(req.query.format, allowed.every(Boolean))
    },
  )
}
