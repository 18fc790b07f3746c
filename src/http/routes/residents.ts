import { z } from 'zod'
import { activitySetting } from '../../rules/setting.js'
import { residents } from '../../store/provisioning.js'
import { contactChannels, optional, personName } from '../contact-fields.js'
import { crudRoutes } from '../crud.js'

// Family members in call order (CONTRACT.md).
const contact = z.object({
  name: personName,
  relation: z.string().min(1).max(100),
  ...optional(contactChannels),
})

/** A calendar date `YYYY-MM-DD` from 1900-01-01 up to today (UTC, plus a day for time zones ahead of it). */
const birthDate = z.iso
  .date()
  .refine((d) => d >= '1900-01-01', 'must not be before 1900-01-01')
  .refine(
    (d) => d <= new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
    'must not be in the future',
  )
  .describe('YYYY-MM-DD; the console shows the age from it')

const resident = z.object({
  siteId: z.string().min(1),
  name: z.string().min(1).max(200),
  abilityLevel: z.number().int().min(0).max(4),
  livesAlone: z.boolean().optional(),
  specialDifficulty: z
    .boolean()
    .optional()
    .describe('特殊困难老年人: due a welfare visit every month (default false)'),
  birthDate: birthDate.optional(),
  conditions: z.array(z.string().min(1).max(200)).max(50).optional(),
  contacts: z.array(contact).max(20).default([]),
  // activity monitoring (README): the resident's own inactivity threshold and day window; null: the defaults
  activity: activitySetting.nullable().optional(),
})

export const residentRoutes = crudRoutes({
  path: '/residents',
  name: 'resident',
  tag: 'residents',
  idPrefix: 'res',
  store: residents,
  create: resident,
  patch: resident
    .omit({ contacts: true })
    .extend({ contacts: z.array(contact).max(20) })
    .partial()
    // null clears a birth date
    .extend({ birthDate: birthDate.nullable().optional() })
    .strict(),
  filters: z.object({ siteId: z.string().optional(), specialDifficulty: z.stringbool().optional() }),
})
