import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { HubError } from '../errors.js'
import type { Queryable } from '../store/db.js'
import { findTokenUser, type Role, type User } from '../store/users.js'
import { bearer, type TokenClaims, type TokenService } from './tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null
    /** the claims of the caller's token (set with user) */
    token: TokenClaims | null
  }
  interface FastifyInstance {
    /** onRequest hook: a valid token of a user with one of these roles */
    requireRole: (...roles: Role[]) => (req: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/**
 * The user behind a token and its claims, or null. The user row is read on every request, so disabling a
 * user, changing a role, a password change (new token epoch) or a logout (revoked id) takes effect at once,
 * in every hub process sharing the database, rather than when the token expires.
 */
export async function userForToken(db: Queryable, tokens: TokenService, token: string | null) {
  const claims = token ? tokens.check(token) : null
  if (!claims) return null
  const found = await findTokenUser(db, claims.sub, claims.jti)
  if (!found || found.disabled || found.revoked || found.tokenEpoch !== claims.ep) return null
  const user: User = found
  return { user, claims }
}

// Shared (fastify-plugin) so every route plugin sees requireRole and request.user.
export const authPlugin = fp(async (app) => {
  app.decorateRequest('user', null)
  app.decorateRequest('token', null)
  app.decorate('requireRole', (...roles: Role[]) => async (req: FastifyRequest) => {
    const { db, tokens } = app.deps
    const found = await userForToken(db, tokens, bearer(req.headers.authorization))
    req.user = found?.user ?? null
    req.token = found?.claims ?? null
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
