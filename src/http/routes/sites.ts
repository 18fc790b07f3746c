import { z } from 'zod'
import { sites } from '../../store/provisioning.js'
import { crudRoutes } from '../crud.js'
import { timeZone } from '../time-range.js'

const site = z.object({
  kind: z.enum(['institution', 'home']),
  name: z.string().min(1).max(200),
  address: z.string().min(1).max(500),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
  timezone: timeZone.optional(),
  district: z.string().trim().min(1).max(200).optional().describe('reported on in welfare-visit rates'),
})

export const siteRoutes = crudRoutes({
  path: '/sites',
  name: 'site',
  tag: 'sites',
  idPrefix: 'site',
  store: sites,
  create: site,
  patch: site.partial().strict(),
  filters: z.object({ kind: z.enum(['institution', 'home']).optional() }),
})
