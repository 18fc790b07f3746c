import type { FastifyInstance } from 'fastify'

export async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', { schema: { tags: ['health'], security: [] } }, async (_req, reply) => {
    const h = await app.deps.healthy()
    return reply
      .code(h.ok ? 200 : 503)
      .send({ status: h.ok ? 'ok' : 'unavailable', broker: h.broker, database: h.database })
  })

  app.get('/metrics', { schema: { tags: ['health'], security: [] } }, async (_req, reply) => {
    const { registry } = app.deps.metrics
    return reply.type(registry.contentType).send(await registry.metrics())
  })
}
