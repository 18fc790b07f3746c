import { z } from 'zod'
import { historyKinds } from '../core/alert.js'

// Response shapes for the OpenAPI document (CONTRACT.md field names). Objects stay loose: a response may
// carry fields added later without breaking the schema or stripping them.

const ts = z.string().describe('ISO-8601 UTC')
const nullableTs = ts.nullable()

export const historyEntrySchema = z.object({
  at: ts,
  kind: z.enum(historyKinds),
  actor: z.string().nullable(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
})

export const alertSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  priority: z.number().int().min(1).max(4),
  alertClass: z.string().describe('what kind of alarm: fire, medical, technical…'),
  abilityLevel: z.number().int(),
  state: z.enum(['open', 'acknowledged', 'resolved']),
  siteId: z.string().nullable(),
  residentId: z.string().nullable(),
  deviceId: z.string().nullable(),
  relatedAlertId: z.string().nullable(),
  event: z
    .looseObject({ id: z.string(), type: z.string(), state: z.enum(['alarm', 'clear']), ts, receivedAt: ts })
    .nullable(),
  count: z.number().int(),
  unanswered: z.boolean(),
  openedAt: ts,
  acknowledgedAt: nullableTs,
  acknowledgedBy: z.string().nullable(),
  resolvedAt: nullableTs,
  resolvedBy: z.string().nullable(),
  outcome: z.string().nullable(),
  history: z.array(historyEntrySchema),
})

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() })

export const errorSchema = z.object({
  error: z.string().describe('a stable HUB_ERR_* code'),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
})
