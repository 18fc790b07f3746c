import { randomBytes } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { hashDeviceSecret } from '../../broker/device-secret.js'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import {
  type ComponentPlace,
  getUitd,
  insertUitd,
  listComponents,
  listUitds,
  upsertComponents,
} from '../../store/uitds.js'
import { aList, anObject, aRecord } from '../response-schemas.js'

import { siteParams, visibleSite } from '../site-access.js'

// GB/T 26875.3 UITDs of a site (README, "GB/T 26875.3 receiver"): registration by address, and the map of the
// components behind each UITD to building/floor/zone/room, imported as CSV (or JSON) and idempotent.

const uitdBody = z
  .object({
    address: z.string().regex(/^[0-9a-f]{12}$/, "the UITD's six address bytes as 12 lowercase hex digits"),
    name: z.string().min(1).max(200).optional(),
    linkTimeoutS: z.number().int().min(10).max(7200).default(600),
  })
  .strict()
const uitdParams = siteParams.extend({ uitdId: z.string().max(100) })

const part = z.string().min(1).max(100).optional()
const componentRow = z
  .object({
    systemAddress: z.coerce.number().int().min(0).max(255).default(0),
    componentAddress: z.coerce.number().int().min(0).max(0xffffffff),
    building: part,
    floor: part,
    zone: part,
    room: part,
  })
  .strict()
const MAX_ROWS = 10_000

/** CSV with a header line (systemAddress,componentAddress,building,floor,zone,room) or a JSON array. */
function componentRows(body: string | unknown[]): Record<string, unknown>[] {
  if (Array.isArray(body)) return body as Record<string, unknown>[]
  try {
    const rows = parse(body, { bom: true, trim: true, skip_empty_lines: true, columns: true }) as Record<
      string,
      string
    >[]
    return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')))
  } catch (err) {
    throw new HubError('HUB_ERR_VALIDATION', `not valid CSV: ${(err as Error).message}`, [
      { field: 'body', message: 'not valid CSV' },
    ])
  }
}

export async function uitdRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, secretKey } = app.deps
  const tags = ['uitds']
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body))

  const path = '/sites/:id/uitds'
  app.post(
    path,
    {
      schema: {
        response: { 201: aRecord },
        tags,
        params: siteParams,
        body: uitdBody,
      },
    },
    async (req, reply) => {
      const site = await visibleSite(db, req, req.params.id)
      const { address, name, linkTimeoutS } = req.body
      // the backing device never logs in over MQTT: its secret is random and shown to no one
      const secretHash = hashDeviceSecret(secretKey, randomBytes(24))
      const created = await insertUitd(
        db,
        {
          id: newId('uitd'),
          deviceId: newId('dev'),
          siteId: site.id,
          address,
          name: name ?? `UITD ${address}`,
          linkTimeoutS,
        },
        secretHash,
      ).catch((err: { code?: string }) => {
        if (err.code === '23505')
          throw new HubError('HUB_ERR_CONFLICT', `a UITD with address ${address} is already registered`)
        throw err
      })
      return reply.code(201).send(created)
    },
  )

  app.get(
    path,
    {
      schema: {
        response: { 200: aList },
        tags,
        params: siteParams,
      },
    },
    async (req) => {
      const site = await visibleSite(db, req, req.params.id)
      return { items: await listUitds(db, site.id) }
    },
  )

  async function uitdOf(siteId: string, uitdId: string) {
    const u = await getUitd(db, siteId, uitdId)
    if (!u) throw notFound('UITD', uitdId)
    return u
  }

  app.post(
    `${path}/:uitdId/components`,
    {
      schema: {
        response: { 200: anObject },
        tags,
        description: `CSV (text/csv, header systemAddress,componentAddress,building,floor,zone,room) or a JSON array of
          such objects, at most ${MAX_ROWS} rows; a component already mapped is moved. Bad rows are reported, good ones kept.`,
        params: uitdParams,
        body: z.union([z.string(), z.array(z.unknown()).max(MAX_ROWS)]),
      },
    },
    async (req) => {
      const site = await visibleSite(db, req, req.params.id)
      const uitd = await uitdOf(site.id, req.params.uitdId)
      const rows = componentRows(req.body)
      if (rows.length > MAX_ROWS) throw new HubError('HUB_ERR_VALIDATION', `at most ${MAX_ROWS} rows`)
      const good: ComponentPlace[] = []
      const rejected: { row: number; errors: { field: string; message: string }[] }[] = []
      rows.forEach((cells, n) => {
        const r = componentRow.safeParse(cells)
        if (!r.success) {
          rejected.push({
            row: n + 1,
            errors: r.error.issues.map((i) => ({ field: i.path.join('.') || 'row', message: i.message })),
          })
          return
        }
        const { systemAddress, componentAddress, ...location } = r.data
        good.push({ systemAddress, componentAddress, location })
      })
      await upsertComponents(db, uitd.id, good)
      return { accepted: good.length, rejected }
    },
  )

  app.get(
    `${path}/:uitdId/components`,
    {
      schema: {
        response: { 200: aList },
        tags,
        params: uitdParams,
      },
    },
    async (req) => {
      const site = await visibleSite(db, req, req.params.id)
      return { items: await listComponents(db, (await uitdOf(site.id, req.params.uitdId)).id) }
    },
  )
}
