import { HubError } from '../errors.js'
import { type Db, type Queryable, withTransaction } from './db.js'
import { resourceStore } from './resources.js'

// An institution's topology (migration 005): buildings, floors, zones, rooms and beds as one tree. A place's
// `path` is the device location that names it, so a device is "registered to a place" when its location
// equals a place's path.

export const placeKinds = ['building', 'floor', 'zone', 'room', 'bed'] as const
export type PlaceKind = (typeof placeKinds)[number]
export type Location = Partial<Record<PlaceKind, string>>

type Row = Record<string, unknown>

export const places = resourceStore({
  table: 'places',
  siteColumn: 'site_id',
  fields: {
    siteId: { column: 'site_id' },
    parentId: { column: 'parent_id' },
    kind: { column: 'kind' },
    name: { column: 'name' },
    path: { column: 'path', json: true },
  },
  toJson: (r: Row) => ({
    id: r.id as string,
    siteId: r.site_id as string,
    parentId: r.parent_id as string | null,
    kind: r.kind as PlaceKind,
    name: r.name as string,
    path: r.path as Location,
    createdAt: (r.created_at as Date).toISOString(),
  }),
})
export type PlaceJson = NonNullable<Awaited<ReturnType<typeof places.get>>>

const rank = (k: PlaceKind) => placeKinds.indexOf(k)

/** The path of a new place under `parent` (a building has none), or why it cannot go there. */
export function childPath(kind: PlaceKind, name: string, parent: PlaceJson | null): Location {
  if (kind === 'building') {
    if (parent) throw invalid('body.parentId', 'a building is at the top: it has no parent')
    return { building: name }
  }
  if (!parent) throw invalid('body.parentId', `a ${kind} needs a parent (a building or a place in one)`)
  if (rank(parent.kind) >= rank(kind)) {
    throw invalid('body.parentId', `a ${kind} cannot be inside a ${parent.kind}`)
  }
  return { ...parent.path, [kind]: name }
}

function invalid(field: string, message: string) {
  return new HubError('HUB_ERR_VALIDATION', `${field} ${message}`, [{ field, message }])
}

/** Levels above the place's own that its path skips (a room straight on a floor has no zone). */
const skipped = (p: PlaceJson) => placeKinds.slice(0, rank(p.kind)).filter((k) => p.path[k] === undefined)

/**
 * Renames a place, and with it the paths of its subtree and the locations of the devices in it, in one
 * transaction: devices stay registered to the same places.
 */
export async function renamePlace(db: Db, place: PlaceJson, name: string): Promise<PlaceJson> {
  return withTransaction(db, async (tx) => {
    // a path equal to or below the place's (and not a same-named sibling path that has a skipped level)
    const inside = 'site_id = $1 AND {col} @> $2::jsonb AND NOT {col} ?| $3::text[]'
    const args = [
      place.siteId,
      JSON.stringify(place.path),
      skipped(place),
      [place.kind],
      JSON.stringify(name),
    ]
    const set = (col: string) =>
      `UPDATE ${col === 'path' ? 'places' : 'devices'} SET ${col} = jsonb_set(${col}, $4::text[], $5::jsonb)
       WHERE ${inside.replaceAll('{col}', col)}`
    await tx.query(set('path'), args).catch(alreadyExists)
    await tx.query(set('location'), args)
    await tx.query('UPDATE places SET name = $2 WHERE id = $1', [place.id, name])
    return (await places.get(tx, place.id))!
  })
}

function alreadyExists(err: { code?: string }): never {
  if (err.code === '23505')
    throw new HubError('HUB_ERR_ALREADY_EXISTS', 'the parent has a place of that name')
  throw err
}

/** Deletes a place that has no children and no device located at it. */
export async function removePlace(db: Db, place: PlaceJson): Promise<void> {
  await withTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM devices WHERE site_id = $1 AND location = $2::jsonb',
      [place.siteId, JSON.stringify(place.path)],
    )
    if (rows[0]!.n > 0) {
      throw new HubError('HUB_ERR_IN_USE', `${rows[0]!.n} device(s) are located at this ${place.kind}`)
    }
    await places.remove(tx, place.id)
  })
}

const pathKey = (loc: Location) => JSON.stringify(placeKinds.map((k) => loc[k] ?? null))

/** Where a partial location is, in words: `building "A", floor "2"`. */
const describe = (loc: Location) =>
  placeKinds
    .filter((k) => loc[k] !== undefined)
    .map((k) => `${k} "${loc[k]}"`)
    .join(', ')

export interface Topology {
  /** an institution with at least one place: device locations are checked against it */
  defined: boolean
  /** what is wrong with a location (fields relative to it, e.g. `zone`); `required`: it must name a place */
  check(location: Location, required: boolean): { field: string; message: string }[]
}

/** The site's places, loaded once to check many locations (an import) against them. */
export async function loadTopology(q: Queryable, siteId: string): Promise<Topology> {
  const { rows } = await q.query<{ path: Location }>(
    `SELECT p.path FROM places p JOIN sites s ON s.id = p.site_id
     WHERE p.site_id = $1 AND s.kind = 'institution'`,
    [siteId],
  )
  const known = new Set(rows.map((r) => pathKey(r.path)))
  return {
    defined: known.size > 0,
    check(location, required) {
      if (known.size === 0) return []
      const named = placeKinds.filter((k) => location[k] !== undefined)
      if (named.length === 0) {
        // a place is named from its building down
        const message = 'must name a place of the site, from its building down'
        return required ? [{ field: 'building', message }] : []
      }
      const prefix: Location = {}
      for (const k of named) {
        const where = named[0] === k ? 'in this site' : `under ${describe(prefix)}`
        prefix[k] = location[k]
        if (!known.has(pathKey(prefix))) return [{ field: k, message: `no ${k} "${location[k]}" ${where}` }]
      }
      return []
    },
  }
}
