import { z } from 'zod'
import { alertClasses } from '../../../devices/index.js'
import { stepsSchema } from '../../core/escalation.js'
import { HubError } from '../../errors.js'
import { policies } from '../../store/escalations.js'
import { crudRoutes } from '../crud.js'

// Escalation policies as data (GET/POST /escalation-policies, GET/PATCH/DELETE /{id}). A policy applies to
// one alert type, or one alert class (alertType '*'), or any alert, at one site (siteId null = hub-wide); the
// most specific one wins. The built-in defaults are one per class. A running
// escalation keeps the steps it started with.

const policy = z
  .object({
    siteId: z.string().max(100).nullable().default(null),
    alertType: z
      .string()
      .regex(/^(\*|[a-z][a-z0-9-]{0,63})$/, "an alert type like 'sos', or '*' for any")
      .default('*'),
    /** with alertType '*': every alert of this class (the built-in defaults are per class) */
    alertClass: z.enum(alertClasses).nullable().default(null),
    name: z.string().min(1).max(200),
    steps: stepsSchema,
  })
  .refine((p) => p.alertClass === null || p.alertType === '*', {
    path: ['alertClass'],
    message: "a policy names an alert type or a class, not both: set alertType to '*'",
  })

export const escalationPolicyRoutes = crudRoutes({
  path: '/escalation-policies',
  name: 'escalation policy',
  tag: 'escalation',
  idPrefix: 'pol',
  store: policies,
  create: policy,
  patch: z
    .object({ name: z.string().min(1).max(200), steps: stepsSchema })
    .partial()
    .strict(),
  filters: z.object({
    siteId: z.string().optional(),
    alertType: z.string().optional(),
    alertClass: z.enum(alertClasses).optional(),
  }),
  check: async (body, db) => {
    const named = (body.steps ?? []).flatMap((s) =>
      s.targets.flatMap((t) => (typeof t === 'string' ? [] : [t.user])),
    )
    if (named.length === 0) return
    const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1)', [named])
    const unknown = named.filter((id) => !rows.some((r) => r.id === id))
    if (unknown.length > 0) {
      throw new HubError('HUB_ERR_UNKNOWN_REFERENCE', `no user with id ${unknown.join(', ')}`)
    }
  },
  beforeDelete: (found) => {
    if (found.builtin) {
      throw new HubError('HUB_ERR_CONFLICT', 'a built-in default policy can be edited but not deleted')
    }
  },
})
