import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { HubError, notFound } from '../../errors.js'
import { apiKeyJson, apiKeyRoles, createApiKey, deleteApiKey, listApiKeys } from '../../store/api-keys.js'

// API keys for integrations (admin only): the key is in the create answer alone; the hub keeps a keyed hash.

const keySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(apiKeyRoles),
  siteIds: z.array(z.string()),
  district: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
})

const createBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('institution').describe('acts as staff of these sites (read, acknowledge, resolve)'),
      name: z.string().min(1).max(200),
      siteIds: z.array(z.string().min(1).max(100)).min(1).max(50),
    })
    .strict(),
  z
    .object({
      kind: z.literal('monitoring-centre').describe("reads its district's fire state, as a county-centre"),
      name: z.string().min(1).max(200),
      district: z.string().min(1).max(100),
    })
    .strict(),
])

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema }

export async function apiKeyRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, secretKey, bus } = app.deps
  const tags = ['api-keys']

  app.post(
    '/api-keys',
    {
      schema: {
        tags,
        description:
          'Creates a key; `key` (send as `Authorization: Bearer <key>`) is shown in this answer only.',
        body: createBody,
        response: { 201: keySchema.extend({ key: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body
      const siteIds = b.kind === 'institution' ? b.siteIds : []
      const { rows } = await db.query<{ id: string }>('SELECT id FROM sites WHERE id = ANY($1)', [siteIds])
      const details = siteIds.flatMap((id, i) =>
        rows.some((r) => r.id === id)
          ? []
          : [{ field: `body.siteIds.${i}`, message: `no site with id ${id}` }],
      )
      if (details.length) throw new HubError('HUB_ERR_UNKNOWN_REFERENCE', 'unknown site in siteIds', details)
      const { key, credential } = await createApiKey(db, secretKey, {
        name: b.name,
        role: b.kind === 'institution' ? 'staff' : 'county-centre',
        siteIds,
        district: b.kind === 'monitoring-centre' ? b.district : null,
        createdBy: req.user!.username,
      })
      return reply.code(201).send({ ...apiKeyJson(key), key: credential })
    },
  )

  app.get(
    '/api-keys',
    { schema: { tags, response: { 200: z.object({ items: z.array(keySchema) }), ...errors } } },
    async () => ({ items: (await listApiKeys(db)).map(apiKeyJson) }),
  )

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags,
        description: 'Revokes the key at once (its open live-feed connections are closed).',
        params: z.object({ id: z.string().max(100) }),
        response: { 200: keySchema, ...errors, 404: errorSchema },
      },
    },
    async (req) => {
      const gone = await deleteApiKey(db, req.params.id)
      if (!gone) throw notFound('API key', req.params.id)
      bus.emit('user.changed', gone.id)
      return apiKeyJson(gone)
    },
  )
}
