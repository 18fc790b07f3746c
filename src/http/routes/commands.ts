import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commandNames, deviceDefinition } from '../../../devices/index.js'
import type { Bus } from '../../bus.js'
import type { LiveMessage } from '../../contract/live.js'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import { advanceCommand, insertCommand, listCommands } from '../../store/commands.js'
import { devices } from '../../store/provisioning.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { aList, aRecord } from '../response-schemas.js'

// Commands to devices (silence, self-test): recorded, published at QoS 1 on the device's commands topic,
// and followed to delivered (PUBACK) and done / failed (the device's command-result event). Every role may
// send one; staff only to devices of their own sites.

const params = z.object({ id: z.string().max(100) })
const keyset = z.object({ at: z.string(), id: z.string() })
const emit = (bus: Bus, messages: LiveMessage[]) => {
  for (const m of messages) bus.emit('live', m)
}

export async function commandRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, bus, publishCommand } = app.deps
  const tags = ['commands']

  async function visibleDevice(req: FastifyRequest, id: string) {
    const device = await devices.get(db, id, req.scope.siteIds)
    if (!device) throw notFound('device', id)
    return device
  }

  app.post(
    '/devices/:id/commands',
    {
      schema: {
        response: { 201: aRecord },
        tags,
        params,
        body: z.object({ cmd: z.enum(commandNames) }).strict(),
      },
    },
    async (req, reply) => {
      const device = await visibleDevice(req, req.params.id)
      const { cmd } = req.body
      const accepts = deviceDefinition(device.type)?.commands ?? []
      if (!accepts.includes(cmd)) {
        const what = accepts.length ? `only ${accepts.join(', ')}` : 'no commands'
        throw new HubError('HUB_ERR_NOT_SUPPORTED', `a ${device.type} takes ${what}`)
      }
      const at = new Date()
      const sent = await insertCommand(db, {
        id: newId('cmd'),
        deviceId: device.id,
        siteId: device.siteId,
        cmd,
        requestedBy: req.user!.username,
        at,
      })
      emit(bus, sent.messages)
      const command = sent.command!
      try {
        await publishCommand(device.id, { id: command.id, cmd, ts: at.toISOString() })
        return reply.code(201).send(command)
      } catch (err) {
        const detail = `the hub could not publish it: ${(err as Error).message}`
        const failed = await advanceCommand(db, {
          id: command.id,
          deviceId: device.id,
          from: ['sent'],
          to: 'failed',
          result: { ok: false, detail },
        })
        emit(bus, failed.messages)
        return reply.code(201).send(failed.command ?? command)
      }
    },
  )

  app.get(
    '/devices/:id/commands',
    {
      schema: {
        response: { 200: aList },
        tags,
        params,
        querystring: z.object(pageQuery),
      },
    },
    async (req) => {
      const device = await visibleDevice(req, req.params.id)
      const before = decodeCursor(req.query.cursor, keyset)
      const { items, next } = await listCommands(db, device.id, req.query.limit, before)
      return page(items, next)
    },
  )
}
