import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { type ErrorCode, errorCatalogue, HubError } from '../../errors.js'
import { withTransaction } from '../../store/db.js'
import { BACKOFF_FROM, clearFailures, LOCK_FROM, takeAttempt } from '../../store/login-throttle.js'
import {
  endUserTokens,
  findUserByName,
  hashPassword,
  revokeToken,
  userRecords,
  verifyPassword,
} from '../../store/users.js'
import { checkPassword, passwordSchema } from '../password-policy.js'
import { userSchema } from './users.js'

const session = z.object({ token: z.string(), expiresAt: z.string() })
const unauthorized = { 401: errorSchema }
// verified for an unknown user too, so response time does not tell which usernames exist
const NO_HASH = 'scrypt$16384$8$1$AAAA$AAAA'

/** A throttled answer: the status from the catalogue and how long to wait. */
function refuse(reply: FastifyReply, code: ErrorCode, until: Date, message: string) {
  const wait = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000))
  return reply
    .code(errorCatalogue[code].status)
    .header('retry-after', String(wait))
    .send({ error: code, message: `${message}; try again in ${wait} s` })
}

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, tokens, bus, accounts } = app.deps

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        security: [],
        description: `From the ${BACKOFF_FROM}th wrong password in a row for a username, 429 with Retry-After (1, 2, 4… s); from the ${LOCK_FROM}th, 423: locked for 15 minutes.`,
        body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }),
        response: { 200: session, 400: errorSchema, 401: errorSchema, 423: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body
      const attempt = await takeAttempt(db, username)
      if (!attempt.allowed) {
        return attempt.locked
          ? refuse(
              reply,
              'HUB_ERR_LOCKED',
              attempt.blockedUntil,
              'too many wrong passwords: the account is locked',
            )
          : refuse(reply, 'HUB_ERR_TOO_MANY_ATTEMPTS', attempt.blockedUntil, 'too many wrong passwords')
      }
      const user = await findUserByName(db, username)
      const ok = await verifyPassword(password, user?.password_hash ?? NO_HASH)
      if (user && ok && !user.disabled) {
        await clearFailures(db, username)
        return tokens.issue({ sub: user.id, name: user.username, role: user.role, ep: user.tokenEpoch })
      }
      if (attempt.failures >= LOCK_FROM && attempt.blockedUntil)
        return refuse(
          reply,
          'HUB_ERR_LOCKED',
          attempt.blockedUntil,
          'too many wrong passwords: the account is locked',
        )
      if (attempt.failures >= BACKOFF_FROM && attempt.blockedUntil)
        return refuse(reply, 'HUB_ERR_TOO_MANY_ATTEMPTS', attempt.blockedUntil, 'wrong username or password')
      throw new HubError('HUB_ERR_BAD_CREDENTIALS', 'wrong username or password')
    },
  )

  // the caller's own record: role, siteIds and contact fields
  app.get(
    '/auth/me',
    { schema: { tags: ['auth'], response: { 200: userSchema, ...unauthorized, 403: errorSchema } } },
    async (req) => (await userRecords.get(db, req.user!.id))!,
  )

  // ends the caller's token only: the same user's other sessions keep theirs
  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        description: "Ends the caller's token at once, in every hub process; answers 204.",
        response: { 204: z.null().describe('logged out'), ...unauthorized, 403: errorSchema },
      },
    },
    async (req, reply) => {
      const { jti, exp } = req.token!
      await revokeToken(db, jti, new Date(exp * 1000))
      bus.emit('token.revoked', jti)
      return reply.code(204).send(null)
    },
  )

  // changing one's own password ends every token the user holds (other devices sign in again); the answer
  // carries a fresh token, so the session that changed it goes on
  app.post(
    '/auth/password',
    {
      schema: {
        tags: ['auth'],
        description:
          "Changes the caller's password (the current one is required); ends all its tokens, answers a new one.",
        body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema }).strict(),
        response: { 200: session, 400: errorSchema, ...unauthorized, 403: errorSchema },
      },
    },
    async (req) => {
      const { currentPassword, newPassword } = req.body
      const me = (await findUserByName(db, req.user!.username))!
      if (!(await verifyPassword(currentPassword, me.password_hash))) {
        throw new HubError('HUB_ERR_VALIDATION', 'the current password is wrong', [
          { field: 'body.currentPassword', message: 'is wrong' },
        ])
      }
      checkPassword(newPassword, me.username, accounts.passwordMinLength, 'body.newPassword')
      const epoch = await withTransaction(db, async (tx) => {
        await userRecords.patch(tx, me.id, { passwordHash: await hashPassword(newPassword) })
        return endUserTokens(tx, me.id)
      })
      bus.emit('user.changed', me.id)
      return tokens.issue({ sub: me.id, name: me.username, role: me.role, ep: epoch })
    },
  )
}
