import { z } from 'zod'
import { fireSafetyTypes } from '../../devices/index.js'
import { HubError } from '../errors.js'
import type { Queryable } from '../store/db.js'
import { type Location, loadTopology, type Topology } from '../store/places.js'
import { devices } from '../store/provisioning.js'

// A device's location (CONTRACT.md: strings, unchanged) and, at an institution whose topology is defined,
// the rule that it names a place of the site; a fire-safety device must name one.

const part = z.string().max(100)
export const location = z
  .object({ building: part, floor: part, zone: part, room: part, bed: part })
  .partial()
  .strict()

/** Problems of a location, fields prefixed (e.g. `body.location.zone`, or `zone` in an import). */
export function locationProblems(topology: Topology, type: string, loc: Location, prefix: string) {
  return topology
    .check(loc, fireSafetyTypes.includes(type))
    .map((p) => ({ field: prefix ? `${prefix}.${p.field}` : p.field, message: p.message }))
}

/** Checks a device create or PATCH body against the topology of the site the device is (or will be) at. */
export async function checkDeviceLocation(
  db: Queryable,
  body: { siteId?: string; type?: string; location?: Location },
  id?: string,
) {
  let { siteId, type, location: loc } = body
  if (id) {
    // a PATCH that neither moves the device nor relocates it keeps whatever location it had
    if (siteId === undefined && loc === undefined) return
    const current = await devices.get(db, id)
    if (!current) return // the PATCH answers 404
    siteId ??= current.siteId
    type = current.type
    loc ??= current.location
  }
  if (!siteId || !type) return
  const details = locationProblems(await loadTopology(db, siteId), type, loc ?? {}, 'body.location')
  if (details.length) {
    const message = details.map((d) => `${d.field}: ${d.message}`).join('; ')
    throw new HubError('HUB_ERR_UNKNOWN_REFERENCE', message, details)
  }
}
