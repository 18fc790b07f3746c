import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { HubError } from '../errors.js'
import type { Queryable } from '../store/db.js'
import { findUser, type Role, type User } from '../store/users.js'
import { bearer, type TokenService } from './tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null
  }
  interface FastifyInstance {
    /** onRequest hook: a valid token of a user with one of these roles */
    requireRole: (...roles: Role[]) => (req: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/**
 * The user behind a token, or null. The user row is read on every request, so disabling a user or changing
 * a role takes effect at once rather than when the token expires.
 */
export async function userForToken(db: Queryable, tokens: TokenService, token: string | null) {
  const claims = token ? tokens.check(token) : null
  const user = claims ? await findUser(db, claims.sub) : null
  return user && !user.disabled ? user : null
}

// Shared (fastify-plugin) so every route plugin sees requireRole and request.user.
export const authPlugin = fp(async (app) => {
  app.decorateRequest('user', null)
  app.decorate('requireRole', (...roles: Role[]) => async (req: FastifyRequest) => {
    const { db, tokens } = app.deps
    req.user = await userForToken(db, tokens, bearer(req.headers.authorization))
    if (!req.user) throw new HubError('HUB_ERR_UNAUTHORIZED', 'a valid bearer token is required')
    if (!roles.includes(req.user.role)) {
      throw new HubError('HUB_ERR_FORBIDDEN', `the ${req.user.role} role may not do this`)
    }
  })
})

// The roles matrix (README, "Roles"): admin does everything; supervisor = operator + reading users +
// managing shifts; operator reads, acknowledges, resolves; staff like operator but only within its sites.
export const anyRole: Role[] = ['admin', 'supervisor', 'operator', 'staff']
export const userReaders: Role[] = ['admin', 'supervisor']
export const shiftWriters: Role[] = ['admin', 'supervisor']

/** The sites a user may see: a staff user's own, or undefined for every site. */
export function siteScope(user: Pick<User, 'role' | 'siteIds'> | null): string[] | undefined {
  return user?.role === 'staff' ? user.siteIds : undefined
}

/** Whether a user may see something at `siteId` (a site-less object is outside every staff scope). */
export function inScope(user: Pick<User, 'role' | 'siteIds'> | null, siteId: string | null): boolean {
  const sites = siteScope(user)
  return !sites || (siteId !== null && sites.includes(siteId))
}
