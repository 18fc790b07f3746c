import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { deviceTypes } from '../../../devices/index.js'
import { hashDeviceSecret, newDeviceSecret } from '../../broker/device-secret.js'
import { newId } from '../../ids.js'
import { insertDevices, type NewDevice, residentsAt } from '../../store/device-import.js'
import { loadTopology, placeKinds } from '../../store/places.js'
import { locationProblems } from '../device-location.js'
import { importRows, MAX_IMPORT_ROWS, type RawRow } from '../import-rows.js'
import { siteParams, visibleSite } from '../site-access.js'

// Bulk import of a detector list (CSV or JSON): every valid row becomes a device, every bad row is reported
// with its reasons, and bad rows never stop good ones. Secrets are in this answer alone, as on a create.

const part = z.string().max(100).optional()
const row = z
  .object({
    type: z.enum(deviceTypes),
    building: part,
    floor: part,
    zone: part,
    room: part,
    bed: part,
    residentId: z.string().min(1).max(100).optional(),
  })
  .strict()

type Problem = { field: string; message: string }

const report = z.object({
  accepted: z.array(z.object({ row: z.number(), id: z.string(), secret: z.string() })),
  rejected: z.array(
    z.object({ row: z.number(), errors: z.array(z.object({ field: z.string(), message: z.string() })) }),
  ),
})

export async function deviceImportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, secretKey } = app.deps
  // CSV arrives as text; only this plugin parses it
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body))

  app.post(
    '/sites/:id/devices/import',
    {
      schema: {
        tags: ['devices'],
        description: `CSV (text/csv, header line type,building,floor,zone,room,bed,residentId) or a JSON array of
          such objects, at most ${MAX_IMPORT_ROWS} rows; answers which rows became devices and why the others did not`,
        params: siteParams,
        body: z.union([z.string(), z.array(z.unknown()).max(MAX_IMPORT_ROWS)]),
        response: { 200: report },
      },
    },
    async (req) => {
      const site = await visibleSite(db, req, req.params.id)
      const rows = importRows(req.body)
      const topology = await loadTopology(db, site.id)
      const named = rows.flatMap((r) => (typeof r.cells.residentId === 'string' ? [r.cells.residentId] : []))
      const residents = await residentsAt(db, site.id, named)

      const accepted: { row: number; id: string; secret: string }[] = []
      const rejected: { row: number; errors: Problem[] }[] = []
      const fresh: NewDevice[] = []
      for (const r of rows) {
        const checked = rowProblems(r, (parsed) => [
          ...locationProblems(topology, parsed.type, parsed, ''),
          ...(parsed.residentId && !residents.has(parsed.residentId)
            ? [{ field: 'residentId', message: 'no resident with this id at this site' }]
            : []),
        ])
        if (checked.problems.length) {
          rejected.push({ row: r.row, errors: checked.problems })
          continue
        }
        const { type, residentId, ...rest } = checked.parsed!
        const location = Object.fromEntries(placeKinds.flatMap((k) => (rest[k] ? [[k, rest[k]]] : [])))
        const id = newId('dev')
        const secret = newDeviceSecret()
        fresh.push({ id, type, residentId, location, secretHash: hashDeviceSecret(secretKey, secret) })
        accepted.push({ row: r.row, id, secret })
      }
      await insertDevices(db, site.id, fresh)
      return { accepted, rejected }
    },
  )
}

/** A row's shape, then (when it has one) the checks against the site's data. */
function rowProblems(r: RawRow, check: (parsed: z.output<typeof row>) => Problem[]) {
  if (r.error) return { problems: [{ field: 'row', message: r.error }] }
  const parsed = row.safeParse(r.cells)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({
      field: i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.') || 'row',
      message: i.message,
    }))
    return { problems }
  }
  return { problems: check(parsed.data), parsed: parsed.data }
}
