import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { HubError } from '../../errors.js'
import { findUserByName, userRecords, verifyPassword } from '../../store/users.js'
import { anyRole } from '../auth.js'

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, tokens } = app.deps

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
      return tokens.issue({ sub: user.id, name: user.username, role: user.role })
    },
  )

  // the caller's own record: role, siteIds and contact fields
  app.get('/auth/me', { onRequest: app.requireRole(...anyRole), schema: { tags: ['auth'] } }, async (req) =>
    userRecords.get(db, req.user!.id),
  )
}
