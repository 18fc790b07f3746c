import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { HubError } from '../errors.js'
import { API_KEY_PREFIX, apiKeyUser } from '../store/api-keys.js'
import type { Queryable } from '../store/db.js'
import { findTokenUser, type User } from '../store/users.js'
import { accessRule, type Rule } from './access-rules.js'
import { declareResponses } from './openapi-responses.js'
import { resolveScope, type Scope } from './scope.js'
import { bearer, type TokenClaims, type TokenService } from './tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null
    /** the claims of the caller's token (set with user; null for an API key) */
    token: TokenClaims | null
    /** what the caller may see, resolved once for the request: pass it to every query */
    scope: Scope
  }
  interface FastifyInstance {
    /** every API route as registered ("GET /api/v1/alerts/:id"), for the route × role matrix test */
    apiRoutes: string[]
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
  const { tokenEpoch: _, revoked: __, ...user } = found
  return { user: user as User, claims }
}

/** Whoever a credential names (a login token or an API key), with its scope; null for none valid. */
export async function callerFor(
  db: Queryable,
  tokens: TokenService,
  keyHash: string,
  credential: string | null,
) {
  if (credential?.startsWith(API_KEY_PREFIX)) {
    const user = await apiKeyUser(db, keyHash, credential)
    return user && { user, claims: null, scope: await resolveScope(db, user) }
  }
  const found = await userForToken(db, tokens, credential)
  return found && { ...found, scope: await resolveScope(db, found.user) }
}

// Shared (fastify-plugin) so every route, in every route plugin, gets its rule from access-rules.ts.
export const authPlugin = fp(async (app) => {
  app.decorateRequest('user', null)
  app.decorateRequest('token', null)
  // set by the authorize hook before any handler of a signed-in route runs
  app.decorateRequest('scope', null as unknown as Scope)

  const authorize =
    (rule: readonly string[] | undefined, url: string): onRequestHookHandler =>
    async (req: FastifyRequest) => {
      const { db, tokens, secretKey } = app.deps
      const caller = await callerFor(db, tokens, secretKey, bearer(req.headers.authorization))
      if (!caller) throw new HubError('HUB_ERR_UNAUTHORIZED', 'a valid bearer token is required')
      req.user = caller.user
      req.token = caller.claims
      req.scope = caller.scope
      if (!rule) throw new HubError('HUB_ERR_FORBIDDEN', `no access rule for ${req.method} ${url}`)
      if (!rule.includes(caller.user.role)) {
        throw new HubError('HUB_ERR_FORBIDDEN', `the ${caller.user.role} role may not do this`)
      }
      if (!caller.claims && url.startsWith('/api/v1/auth/')) {
        throw new HubError('HUB_ERR_FORBIDDEN', 'an API key has no account to sign in or out of')
      }
    }

  const apiRoutes: string[] = []
  app.decorate('apiRoutes', apiRoutes)
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/')) return
    const methods = [route.method].flat()
    for (const m of methods) if (m !== 'HEAD') apiRoutes.push(`${m} ${route.url}`)
    const rule: Rule | undefined = accessRule(methods[0]!, route.url)
    declareResponses(route, rule)
    if (rule === 'public') return
    const own = route.onRequest ? [route.onRequest].flat() : []
    route.onRequest = [authorize(rule, route.url), ...own]
  })
})
