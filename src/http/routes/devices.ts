import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { deviceTypes } from '../../../devices/index.js'
import { hashDeviceSecret, newDeviceSecret } from '../../broker/device-secret.js'
import { notFound } from '../../errors.js'
import { devices } from '../../store/provisioning.js'
import { listRejected } from '../../store/rejects.js'
import { crudRoutes } from '../crud.js'
import { checkDeviceLocation, location } from '../device-location.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { aList } from '../response-schemas.js'
import { deviceCredentialRoutes } from './device-credentials.js'
import { readingRoutes } from './readings.js'

const device = z.object({
  type: z.enum(deviceTypes),
  siteId: z.string().min(1),
  residentId: z.string().min(1).optional(),
  location: location.default({}),
  // a carrier platform's id for the device (OneNET's deviceId): its pushes reach this device
  externalId: z.string().min(1).max(200).optional(),
})

async function deviceExtraRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps

  // What the device sent that was refused, and why: for installers and testers debugging a device.
  app.get(
    '/devices/:id/rejected',
    {
      schema: {
        response: { 200: aList },
        tags: ['devices'],
        params: z.object({ id: z.string() }),
        querystring: z.object(pageQuery),
      },
    },
    async (req) => {
      if (!(await devices.get(db, req.params.id, req.scope.siteIds))) throw notFound('device', req.params.id)
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
  await app.register(deviceExtraRoutes)
  await app.register(readingRoutes)
  await app.register(deviceCredentialRoutes)
}
