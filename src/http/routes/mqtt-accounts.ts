import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { hashDeviceSecret, newDeviceSecret } from '../../broker/device-secret.js'
import { filterProblem, publishFilterProblem } from '../../broker/topic-filter.js'
import { notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import { mqttAccounts } from '../../store/mqtt-accounts.js'
import type { Keyset } from '../../store/resources.js'
import { emptyBodyIsAbsent } from '../optional-body.js'
import { decodeCursor, page, pageQuery, searchQuery } from '../paging.js'
import { aList, anObject, aRecord } from '../response-schemas.js'

// MQTT accounts that are not devices (admin only): Node-RED, a monitoring desk, an MQTT conformance suite.
// Each may publish and subscribe only within its topic filters; the secret is shown once. Any change to an
// account closes its open connections, so new rights or a disabled account take effect at once.

const filter = z.string().superRefine((v, ctx) => {
  const problem = filterProblem(v)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})
const publishFilter = filter.superRefine((v, ctx) => {
  const problem = publishFilterProblem(v)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})
const rights = {
  name: z.string().max(200),
  publish: z.array(publishFilter).max(50),
  subscribe: z.array(filter).max(50),
}
const account = z
  .object({
    // device ids are dev_…: an account's username never looks like one
    username: z
      .string()
      .min(3)
      .max(64)
      .regex(/^(?!dev_)[A-Za-z0-9._-]+$/, 'letters, digits, . _ -, not starting with dev_'),
    name: rights.name.default(''),
    publish: rights.publish.default([]),
    subscribe: rights.subscribe.default([]),
  })
  .strict()
const params = z.object({ id: z.string().max(100) })
const keyset = z.object({ c: z.string(), id: z.string() })

export async function mqttAccountRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, secretKey, bus } = app.deps
  emptyBodyIsAbsent(app)
  const tags = ['mqtt-accounts']
  const ended = (id: string, deleted = false) => bus.emit('mqtt-account.changed', id, deleted)

  app.post(
    '/mqtt-accounts',
    {
      schema: {
        response: { 201: anObject },
        tags,
        body: account,
      },
    },
    async (req, reply) => {
      const secret = newDeviceSecret()
      const created = await mqttAccounts.insert(db, newId('mqa'), {
        ...req.body,
        secretHash: hashDeviceSecret(secretKey, secret),
      })
      return reply.code(201).send({ ...created, secret })
    },
  )

  app.get(
    '/mqtt-accounts',
    {
      schema: {
        response: { 200: aList },
        tags,
        querystring: z.object({ ...pageQuery, ...searchQuery }),
      },
    },
    async (req) => {
      const after = decodeCursor<Keyset>(req.query.cursor, keyset)
      const { items, next } = await mqttAccounts.list(db, {}, req.query.limit, after, undefined, req.query.q)
      return page(items, next)
    },
  )

  app.get(
    '/mqtt-accounts/:id',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params,
      },
    },
    async (req) => {
      const found = await mqttAccounts.get(db, req.params.id)
      if (!found) throw notFound('MQTT account', req.params.id)
      return found
    },
  )

  app.patch(
    '/mqtt-accounts/:id',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params,
        body: z
          .object({ ...rights, disabled: z.boolean() })
          .partial()
          .strict(),
      },
    },
    async (req) => {
      const updated = await mqttAccounts.patch(db, req.params.id, req.body)
      if (!updated) throw notFound('MQTT account', req.params.id)
      ended(req.params.id)
      return updated
    },
  )

  app.delete(
    '/mqtt-accounts/:id',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params,
      },
    },
    async (req) => {
      const found = await mqttAccounts.get(db, req.params.id)
      if (!found || !(await mqttAccounts.remove(db, req.params.id)))
        throw notFound('MQTT account', req.params.id)
      ended(req.params.id, true)
      return found
    },
  )

  app.post(
    '/mqtt-accounts/:id/secret',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params,
      },
    },
    async (req) => {
      const secret = newDeviceSecret()
      const updated = await mqttAccounts.patch(db, req.params.id, {
        secretHash: hashDeviceSecret(secretKey, secret),
      })
      if (!updated) throw notFound('MQTT account', req.params.id)
      ended(req.params.id)
      return { ...updated, secret }
    },
  )
}
