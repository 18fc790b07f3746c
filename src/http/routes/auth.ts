import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HubError } from '../../errors.js'
import { findUserByName, revokeToken, userRecords, verifyPassword } from '../../store/users.js'
import { anyRole } from '../auth.js'

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, tokens, bus } = app.deps

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        security: [],
        body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }),
      },
    },
    async (req) => {
      const user = await findUserByName(db, req.body.username)
      // verify even for an unknown user, so response time does not tell which usernames exist
      const ok = await verifyPassword(req.body.password, user?.password_hash ?? 'scrypt$16384$8$1$AAAA$AAAA')
      if (!user || !ok || user.disabled)
        throw new HubError('HUB_ERR_BAD_CREDENTIALS', 'wrong username or password')
      return tokens.issue({ sub: user.id, name: user.username, role: user.role, ep: user.tokenEpoch })
    },
  )

  // the caller's own record: role, siteIds and contact fields
  app.get('/auth/me', { onRequest: app.requireRole(...anyRole), schema: { tags: ['auth'] } }, async (req) =>
    userRecords.get(db, req.user!.id),
  )

  // ends the caller's token only: the same user's other sessions keep theirs
  app.post(
    '/auth/logout',
    {
      onRequest: app.requireRole(...anyRole),
      schema: {
        tags: ['auth'],
        description: "Ends the caller's token at once, in every hub process; answers 204.",
        response: { 204: z.null().describe('logged out') },
      },
    },
    async (req, reply) => {
      const { jti, exp } = req.token!
      await revokeToken(db, jti, new Date(exp * 1000))
      bus.emit('token.revoked', jti)
      return reply.code(204).send(null)
    },
  )
}
