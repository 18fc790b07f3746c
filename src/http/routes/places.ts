import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import {
  childPath,
  type PlaceJson,
  placeKinds,
  places,
  removePlace,
  renamePlace,
} from '../../store/places.js'
import type { Keyset } from '../../store/resources.js'
import { decodeCursor, page, pageQuery } from '../paging.js'
import { aList, aRecord } from '../response-schemas.js'
import { siteParams, visibleInstitution, visibleSite } from '../site-access.js'

// An institution's topology: buildings, floors, zones, rooms and beds, one tree of places. Admins write;
// every role reads (staff at their own sites). Devices name a place by its `path` as their `location`.

const name = z.string().min(1).max(100)
const placeParams = siteParams.extend({ placeId: z.string().max(100) })
const keyset = z.object({ c: z.string(), id: z.string() })

export async function placeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db } = app.deps
  const tags = ['topology']

  async function visiblePlace(req: FastifyRequest, siteId: string, placeId: string): Promise<PlaceJson> {
    await visibleSite(db, req, siteId)
    const place = await places.get(db, placeId)
    if (!place || place.siteId !== siteId) throw notFound('place', placeId)
    return place
  }

  app.post(
    '/sites/:id/places',
    {
      schema: {
        response: { 201: aRecord },
        tags,
        params: siteParams,
        body: z.object({ kind: z.enum(placeKinds), name, parentId: z.string().max(100).optional() }).strict(),
      },
    },
    async (req, reply) => {
      const site = await visibleInstitution(db, req, req.params.id)
      const { kind, parentId } = req.body
      const parent = parentId ? await places.get(db, parentId) : null
      if (parentId && parent?.siteId !== site.id) {
        throw new HubError('HUB_ERR_UNKNOWN_REFERENCE', `no place ${parentId} in this site`, [
          { field: 'body.parentId', message: 'is not a place of this site' },
        ])
      }
      const values = { siteId: site.id, parentId, kind, name: req.body.name }
      const created = await places.insert(db, newId('plc'), {
        ...values,
        path: childPath(kind, req.body.name, parent),
      })
      return reply.code(201).send(created)
    },
  )

  app.get(
    '/sites/:id/places',
    {
      schema: {
        response: { 200: aList },
        tags,
        params: siteParams,
        querystring: z.object({
          kind: z.enum(placeKinds).optional(),
          parentId: z.string().max(100).optional(),
          ...pageQuery,
        }),
      },
    },
    async (req) => {
      await visibleSite(db, req, req.params.id)
      const { limit, cursor, kind, parentId } = req.query
      const filters = { siteId: req.params.id, kind, parentId }
      const { items, next } = await places.list(db, filters, limit, decodeCursor<Keyset>(cursor, keyset))
      return page(items, next)
    },
  )

  app.get(
    '/sites/:id/places/:placeId',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: placeParams,
      },
    },
    async (req) => visiblePlace(req, req.params.id, req.params.placeId),
  )

  app.patch(
    '/sites/:id/places/:placeId',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: placeParams,
        body: z.object({ name }).strict(),
      },
    },
    async (req) => {
      const place = await visiblePlace(req, req.params.id, req.params.placeId)
      return renamePlace(db, place, req.body.name)
    },
  )

  app.delete(
    '/sites/:id/places/:placeId',
    {
      schema: {
        response: { 200: aRecord },
        tags,
        params: placeParams,
      },
    },
    async (req) => {
      const place = await visiblePlace(req, req.params.id, req.params.placeId)
      await removePlace(db, place)
      return place
    },
  )
}
