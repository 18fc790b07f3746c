import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import { HubError, notFound } from '../errors.js'
import type { Queryable } from '../store/db.js'
import { sites } from '../store/provisioning.js'

// Routes under /sites/{id}/…: the site must exist and be in the caller's scope (else 404, as for any id).

export const siteParams = z.object({ id: z.string().max(100) })

export async function visibleSite(db: Queryable, req: FastifyRequest, id: string) {
  const site = await sites.get(db, id, req.scope.siteIds)
  if (!site) throw notFound('site', id)
  return site
}

/** Topology and its imports are for institutions; a home has rooms, but no fire-safety plan to register. */
export async function visibleInstitution(db: Queryable, req: FastifyRequest, id: string) {
  const site = await visibleSite(db, req, id)
  if (site.kind !== 'institution') {
    throw new HubError('HUB_ERR_CONFLICT', `site ${id} is a home: only institutions have a topology`)
  }
  return site
}
