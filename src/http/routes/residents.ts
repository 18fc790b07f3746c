import { z } from 'zod'
import { residents } from '../../store/provisioning.js'
import { contactChannels, optional, personName } from '../contact-fields.js'
import { crudRoutes } from '../crud.js'

// Family members in call order (CONTRACT.md).
const contact = z.object({
  name: personName,
  relation: z.string().min(1).max(100),
  ...optional(contactChannels),
})

const resident = z.object({
  siteId: z.string().min(1),
  name: z.string().min(1).max(200),
  abilityLevel: z.number().int().min(0).max(4),
  livesAlone: z.boolean().optional(),
  conditions: z.array(z.string().min(1).max(200)).max(50).optional(),
  contacts: z.array(contact).max(20).default([]),
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
    .strict(),
  filters: z.object({ siteId: z.string().optional() }),
})
