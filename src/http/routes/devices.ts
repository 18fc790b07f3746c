import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { deviceTypes } from '../../../devices/index.js'
import { hashDeviceSecret, newDeviceSecret } from '../../broker/device-secret.js'
import { notFound } from '../../errors.js'
import { devices } from '../../store/provisioning.js'
import { queryReadings } from '../../store/readings.js'
import { listRejected } from '../../store/rejects.js'
import { anyRole, siteScope } from '../auth.js'
import { crudRoutes } from '../crud.js'
import { checkDeviceLocation, location } from '../device-location.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { deviceCredentialRoutes } from './device-credentials.js'

const device = z.object({
  type: z.enum(deviceTypes),
  siteId: z.string().min(1),
  residentId: z.string().min(1).optional(),
  location: location.default({}),
})

const bucket = z
  .string()
  .regex(/^\d+[smhd]$/, 'e.g. 1m, 1h, 1d')
  .transform((b) => `${b.slice(0, -1)} ${{ s: 'seconds', m: 'minutes', h: 'hours', d: 'days' }[b.at(-1)!]}`)

async function readingRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps
  const read = { onRequest: app.requireRole(...anyRole) }

  app.get(
    '/devices/:id/readings',
    {
      ...read,
      schema: {
        tags: ['devices'],
        params: z.object({ id: z.string() }),
        querystring: z.object({
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          bucket: bucket.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(1000),
        }),
      },
    },
    async (req) => {
      if (!(await devices.get(db, req.params.id, siteScope(req.user))))
        throw notFound('device', req.params.id)
      const to = req.query.to ? new Date(req.query.to) : new Date()
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 86_400_000)
      return { items: await queryReadings(db, req.params.id, from, to, req.query.bucket, req.query.limit) }
    },
  )

  // What the device sent that was refused, and why: for installers and testers debugging a device.
  app.get(
    '/devices/:id/rejected',
    {
      ...read,
      schema: { tags: ['devices'], params: z.object({ id: z.string() }), querystring: z.object(pageQuery) },
    },
    async (req) => {
      if (!(await devices.get(db, req.params.id, siteScope(req.user))))
        throw notFound('device', req.params.id)
      const before = decodeCursor(req.query.cursor, z.number().int())
      const { items, next } = await listRejected(db, req.params.id, req.query.limit, before)
      return page(items, next)
    },
  )
}

export async function deviceRoutes(app: FastifyInstance) {
  const { secretKey, bus } = app.deps
  await app.register(
    crudRoutes({
      path: '/devices',
      name: 'device',
      tag: 'devices',
      idPrefix: 'dev',
      store: devices,
      create: device,
      patch: device.omit({ type: true, location: true }).extend({ location }).partial().strict(),
      filters: z.object({
        siteId: z.string().optional(),
        residentId: z.string().optional(),
        type: z.enum(deviceTypes).optional(),
      }),
      check: (body, db, id) => checkDeviceLocation(db, body, id),
      // a deleted device's open connection closes at once
      afterDelete: (found) => bus.emit('device.credentials', found.id, null, true),
      onCreate: (body) => {
        const secret = newDeviceSecret()
        return { values: { ...body, secretHash: hashDeviceSecret(secretKey, secret) }, extra: { secret } }
      },
    }),
  )
  await app.register(readingRoutes)
  await app.register(deviceCredentialRoutes)
}
