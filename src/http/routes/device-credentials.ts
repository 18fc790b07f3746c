import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { hashDeviceSecret, newDeviceSecret } from '../../broker/device-secret.js'
import { notFound } from '../../errors.js'
import { rotateDeviceSecret } from '../../store/device-credentials.js'
import { devices } from '../../store/provisioning.js'
import { emptyBodyIsAbsent } from '../optional-body.js'
import { aRecord } from '../response-schemas.js'

// A device's credentials: rotation (a new secret, shown once, with an optional grace period for the old one)
// and revocation (no secret works any more). Open connections on an ended secret close at once, or when the
// grace period ends (the broker, through the bus).

const MAX_GRACE_SECONDS = 30 * 86_400
const params = z.object({ id: z.string().max(100) })

export async function deviceCredentialRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, secretKey, bus } = app.deps
  emptyBodyIsAbsent(app)

  app.post(
    '/devices/:id/secret',
    {
      schema: {
        response: { 200: aRecord },
        tags: ['devices'],
        params,
        body: z
          .object({ graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).default(0) })
          .strict()
          .nullish(),
      },
    },
    async (req) => {
      const secret = newDeviceSecret()
      const graceMs = (req.body?.graceSeconds ?? 0) * 1000
      const rotated = await rotateDeviceSecret(
        db,
        req.params.id,
        hashDeviceSecret(secretKey, secret),
        graceMs,
      )
      if (!rotated) throw notFound('device', req.params.id)
      bus.emit('device.credentials', req.params.id, rotated.oldSecretUntil, false)
      const device = await devices.get(db, req.params.id)
      return { ...device, secret, oldSecretValidUntil: rotated.oldSecretUntil?.toISOString() ?? null }
    },
  )

  // Revocation: the secret is replaced by one nobody knows; a rotation issues a working one again.
  app.post(
    '/devices/:id/revoke',
    {
      schema: {
        response: { 200: aRecord },
        tags: ['devices'],
        params,
      },
    },
    async (req) => {
      const unknowable = hashDeviceSecret(secretKey, randomBytes(32))
      if (!(await rotateDeviceSecret(db, req.params.id, unknowable, 0)))
        throw notFound('device', req.params.id)
      bus.emit('device.credentials', req.params.id, null, false)
      return devices.get(db, req.params.id)
    },
  )
}
