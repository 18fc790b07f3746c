import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { HubError, notFound } from '../../errors.js'
import { newId } from '../../ids.js'
import { withTransaction } from '../../store/db.js'
import { createInvite, lockInvite, useInvite } from '../../store/family-invites.js'
import { residents } from '../../store/provisioning.js'
import { hashPassword, languages, userRecords } from '../../store/users.js'
import { personName } from '../contact-fields.js'
import { checkPassword, passwordSchema } from '../password-policy.js'
import { userSchema } from './users.js'

// A family member joins by a link: the care team invites them for one resident, the link works once, and the
// account it creates has the family role over that resident alone (README, "Family accounts").

const INVITE_TTL_MS = 7 * 86_400_000

const joinBody = z
  .object({
    invite: z.string().min(1).max(300),
    username: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w.@-]+$/, 'letters, digits and . _ @ - only'),
    password: passwordSchema,
    name: personName.optional(),
    language: z.enum(languages).optional(),
  })
  .strict()

const inviteSchema = z.object({
  id: z.string(),
  residentId: z.string(),
  invite: z.string().describe('the invitation itself: shown in this answer only'),
  url: z.string().describe('the link to send the family member'),
  expiresAt: z.string(),
})

export async function familyInviteRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, secretKey, tokens, accounts } = app.deps

  app.post(
    '/residents/:id/family-invites',
    {
      schema: {
        tags: ['residents'],
        description:
          'A single-use link (7 days) for a family member to create an account that sees this resident only.',
        params: z.object({ id: z.string().max(100) }),
        response: {
          201: inviteSchema,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const resident = await residents.get(db, req.params.id, req.scope.siteIds)
      if (!resident) throw notFound('resident', req.params.id)
      const expiresAt = new Date(Date.now() + INVITE_TTL_MS)
      const { id, credential } = await createInvite(db, secretKey, {
        residentId: resident.id,
        createdBy: req.user!.username,
        expiresAt,
      })
      const url = `${accounts.publicUrl()}/join?invite=${encodeURIComponent(credential)}`
      return reply
        .code(201)
        .send({ id, residentId: resident.id, invite: credential, url, expiresAt: expiresAt.toISOString() })
    },
  )

  app.post(
    '/auth/join',
    {
      schema: {
        tags: ['auth'],
        security: [],
        description: 'Accepts a family invitation: creates the family account and signs it in.',
        body: joinBody,
        response: {
          201: z.object({ user: userSchema, token: z.string(), expiresAt: z.string() }),
          400: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { invite, password, ...fields } = req.body
      checkPassword(password, fields.username, accounts.passwordMinLength)
      const user = await withTransaction(db, async (tx) => {
        const check = await lockInvite(tx, secretKey, invite)
        if (!check.ok && check.reason === 'unknown')
          throw new HubError('HUB_ERR_NOT_FOUND', 'no such invitation')
        if (!check.ok)
          throw new HubError(
            'HUB_ERR_CONFLICT',
            `this invitation was ${check.reason === 'used' ? 'already used' : 'valid for 7 days and has expired'}: ask for a new one`,
          )
        await useInvite(tx, check.id)
        return userRecords.insert(tx, newId('usr'), {
          ...fields,
          role: 'family',
          residentIds: [check.residentId],
          passwordHash: await hashPassword(password),
        })
      })
      const session = tokens.issue({ sub: user.id, name: user.username, role: 'family', ep: 0 })
      return reply.code(201).send({ user, ...session })
    },
  )
}
