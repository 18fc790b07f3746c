import { deviceDefinition } from '../../devices/index.js'
import { resourceStore } from './resources.js'

// Sites, residents and devices as the API shows them (CONTRACT.md field names).

type Row = Record<string, unknown>
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null)

export const sites = resourceStore({
  table: 'sites',
  siteColumn: 'id',
  search: ['id', 'name', 'address'],
  fields: {
    kind: { column: 'kind' },
    name: { column: 'name' },
    address: { column: 'address' },
    lat: { column: 'lat' },
    lon: { column: 'lon' },
    timezone: { column: 'timezone' },
    district: { column: 'district' },
  },
  toJson: (r: Row) => ({
    id: r.id as string,
    kind: r.kind as string,
    name: r.name as string,
    address: r.address as string,
    lat: r.lat as number | null,
    lon: r.lon as number | null,
    timezone: r.timezone as string,
    district: r.district as string | null,
    createdAt: iso(r.created_at),
  }),
})

export const residents = resourceStore({
  table: 'residents',
  siteColumn: 'site_id',
  search: ['id', 'name'],
  fields: {
    siteId: { column: 'site_id' },
    name: { column: 'name' },
    abilityLevel: { column: 'ability_level' },
    livesAlone: { column: 'lives_alone' },
    specialDifficulty: { column: 'special_difficulty' },
    birthDate: { column: 'birth_date' },
    conditions: { column: 'conditions', json: true },
    contacts: { column: 'contacts', json: true },
    activity: { column: 'activity', json: true },
  },
  toJson: (r: Row) => ({
    id: r.id as string,
    siteId: r.site_id as string,
    name: r.name as string,
    abilityLevel: r.ability_level as number,
    livesAlone: r.lives_alone as boolean,
    specialDifficulty: r.special_difficulty as boolean,
    birthDate: r.birth_date as string | null,
    conditions: r.conditions as string[],
    contacts: r.contacts as Record<string, unknown>[],
    activity: (r.activity ?? null) as Record<string, unknown> | null,
    createdAt: iso(r.created_at),
  }),
})

/** Online: not reported offline, and heard from within twice the type's heartbeat interval. */
export function isOnline(type: string, status: unknown, lastSeen: unknown, now = Date.now()): boolean {
  const def = deviceDefinition(type)
  if (!def || status === 'offline' || !(lastSeen instanceof Date)) return false
  return now - lastSeen.getTime() <= 2 * def.heartbeatSeconds * 1000
}

export const devices = resourceStore({
  table: 'devices',
  siteColumn: 'site_id',
  // a device has no name: its id, its type, or a word of its location ("A", "201")
  search: ['id', 'type', "(SELECT string_agg(value, ' ') FROM jsonb_each_text(location))"],
  fields: {
    type: { column: 'type' },
    siteId: { column: 'site_id' },
    residentId: { column: 'resident_id' },
    location: { column: 'location', json: true },
    secretHash: { column: 'secret_hash' },
    externalId: { column: 'external_id' },
  },
  toJson: (r: Row) => ({
    id: r.id as string,
    type: r.type as string,
    siteId: r.site_id as string,
    residentId: r.resident_id as string | null,
    location: r.location as Record<string, string>,
    online: isOnline(r.type as string, r.status, r.last_seen),
    lastSeen: iso(r.last_seen),
    battery: r.battery as number | null,
    rssi: r.rssi as number | null,
    rejectedCount: r.rejected_count as number,
    externalId: (r.external_id as string | null) ?? null,
    createdAt: iso(r.created_at),
  }),
})
