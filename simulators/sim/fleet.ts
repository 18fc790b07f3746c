import { randomBytes, randomInt } from 'node:crypto'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { deviceTypes } from '../../devices/index.js'
import type { HubApi } from '../lib/api.js'
import type { Random } from '../lib/random.js'
import { mapLimit } from '../lib/util.js'
import { SetupError } from './setup-error.js'

// A fleet: homes (one resident each) and institutions (residents by floor, smoke detectors by zone), laid
// out from a spec, provisioned through the HTTP API, and saved to / loaded from a fleet file so a later run
// can reuse it.

const counts = z.partialRecord(z.enum(deviceTypes), z.number().int().min(0).max(100))

export const fleetSpecSchema = z.strictObject({
  homes: z.number().int().min(0).max(100_000).default(20),
  institutions: z.number().int().min(0).max(1_000).default(2),
  /** devices in every home, by type */
  homeDevices: counts.default({ 'call-button': 1, 'fall-sensor': 1, 'smoke-detector': 1 }),
  /** residents in every institution, spread over its floors */
  residents: z.number().int().min(0).max(10_000).default(10),
  /** devices of every institution resident, by type */
  residentDevices: counts.default({ 'call-button': 1, 'fall-sensor': 1 }),
  /** every institution has buildings A, B, … with floors 1… and fire zones 1… per floor */
  buildings: z.number().int().min(1).max(26).default(1),
  floors: z.number().int().min(1).max(100).default(3),
  zones: z.number().int().min(1).max(100).default(2),
  /** devices in every fire zone, by type */
  zoneDevices: counts.default({ 'smoke-detector': 2 }),
  /** GB/T 26875.3 UITDs in every institution (registered under the site, they speak TCP to UITD_PORT) */
  uitds: z.number().int().min(0).max(100).default(0),
  /** devices in every home that report through OneNET data push instead of MQTT (registered with externalId) */
  onenetHomeDevices: counts.default({}),
})
export type FleetSpec = z.output<typeof fleetSpecSchema>

/** Where a device is: the selectors of scenario files match these fields. */
export const placeSchema = z.strictObject({
  home: z.number().int().optional(),
  institution: z.number().int().optional(),
  resident: z.number().int().optional(),
  building: z.string().optional(),
  floor: z.string().optional(),
  zone: z.string().optional(),
})
export type Place = z.output<typeof placeSchema>

/** How a device reaches the hub: MQTT unless it is a UITD (TCP) or reports through OneNET push. */
const linkSchema = z.enum(['uitd', 'onenet'])

export interface PlannedDevice {
  /** a stable name within the fleet, e.g. "home 12 fall-sensor 1" */
  key: string
  type: string
  place: Place
  link?: z.output<typeof linkSchema>
}

const deviceSchema = z.strictObject({
  key: z.string(),
  type: z.enum(deviceTypes),
  place: placeSchema,
  id: z.string().min(1),
  /** the MQTT password ('' for a UITD, which has none) */
  secret: z.string(),
  link: linkSchema.optional(),
  /** the UITD's address, or the OneNET deviceId (the hub device's externalId) */
  platformId: z.string().min(1).optional(),
})
export type FleetDevice = z.output<typeof deviceSchema>

export const fleetFileSchema = z.strictObject({
  version: z.literal(1),
  api: z.string(),
  createdAt: z.string(),
  spec: fleetSpecSchema,
  devices: z.array(deviceSchema),
})
export type FleetFile = z.output<typeof fleetFileSchema>

const letter = (i: number) => String.fromCharCode(65 + i)

function addDevices(
  out: PlannedDevice[],
  what: Partial<Record<string, number>>,
  place: Place,
  name: string,
  link?: PlannedDevice['link'],
) {
  for (const [type, n] of Object.entries(what)) {
    for (let i = 1; i <= (n ?? 0); i++) out.push({ key: `${name} ${type} ${i}`, type, place, link })
  }
}

/** Every device of the fleet with its place, in a fixed order (the order selectors count in). */
export function layOut(spec: FleetSpec): PlannedDevice[] {
  const out: PlannedDevice[] = []
  for (let h = 1; h <= spec.homes; h++) {
    addDevices(out, spec.homeDevices, { home: h }, `home ${h}`)
    addDevices(out, spec.onenetHomeDevices, { home: h }, `home ${h} onenet`, 'onenet')
  }
  for (let n = 1; n <= spec.institutions; n++) {
    for (let r = 1; r <= spec.residents; r++) {
      const building = letter((r - 1) % spec.buildings)
      const floor = String(1 + (Math.floor((r - 1) / spec.buildings) % spec.floors))
      const place = { institution: n, resident: r, building, floor }
      addDevices(out, spec.residentDevices, place, `institution ${n} resident ${r}`)
    }
    addDevices(out, { uitd: spec.uitds }, { institution: n, building: 'A' }, `institution ${n}`, 'uitd')
    for (let b = 0; b < spec.buildings; b++) {
      for (let f = 1; f <= spec.floors; f++) {
        for (let z = 1; z <= spec.zones; z++) {
          const place = { institution: n, building: letter(b), floor: String(f), zone: String(z) }
          const name = `institution ${n} ${letter(b)}${f}-${z}`
          addDevices(out, spec.zoneDevices, place, name)
        }
      }
    }
  }
  return out
}

type Created = { id: string; deviceId?: string }

/**
 * Creates the sites, residents and devices over the API (`concurrency` requests in flight) and returns the
 * devices with their secrets. Residents get an ability level drawn from `rng`.
 */
export async function provisionFleet(
  api: HubApi,
  spec: FleetSpec,
  rng: Random,
  concurrency: number,
  label = 'Sim',
): Promise<FleetFile> {
  const planned = layOut(spec)
  const post = (path: string, body: unknown) => api.expect<Created>(201, 'POST', `/api/v1/${path}`, body)
  const siteKeys = [
    ...Array.from({ length: spec.homes }, (_, i) => ({ key: `home ${i + 1}`, kind: 'home' as const })),
    ...Array.from({ length: spec.institutions }, (_, i) => ({
      key: `institution ${i + 1}`,
      kind: 'institution' as const,
    })),
  ]
  const sites = new Map<string, string>()
  await mapLimit(siteKeys, concurrency, async (s) => {
    const site = await post('sites', {
      kind: s.kind,
      name: `${label} ${s.key}`,
      address: `${s.key.replace(/\D/g, '')} Simulation Road`,
      timezone: 'Asia/Shanghai',
    })
    sites.set(s.key, site.id)
  })
  const siteOf = (p: Place) => sites.get(p.home ? `home ${p.home}` : `institution ${p.institution}`)!
  const residentPlaces = new Map<string, Place>()
  for (const d of planned) if (!d.place.zone) residentPlaces.set(residentKey(d.place), d.place)
  const levels = [...residentPlaces.keys()].map(() => rng.int(0, 4))
  const residents = new Map<string, string>()
  await mapLimit([...residentPlaces], concurrency, async ([key, place], i) => {
    const r = await post('residents', {
      siteId: siteOf(place),
      name: `${label} ${key}`,
      abilityLevel: levels[i],
    })
    residents.set(key, r.id)
  })
  const devices = await mapLimit(planned, concurrency, async (d): Promise<FleetDevice> => {
    if (d.link === 'uitd') {
      // random addresses: a second run against the same hub must not collide with the first (409)
      const address = randomBytes(6).toString('hex')
      const u = await post(`sites/${siteOf(d.place)}/uitds`, { address, name: `${label} ${d.key}` })
      return { ...d, type: 'uitd', link: 'uitd', id: u.deviceId!, secret: '', platformId: address }
    }
    const { building, floor, zone } = d.place
    const externalId = d.link === 'onenet' ? String(randomInt(1e9, 1e10)) : undefined
    const location = d.place.home ? { room: 'bedroom' } : { building, floor, ...(zone ? { zone } : {}) }
    const created = await api.expect<{ id: string; secret: string }>(201, 'POST', '/api/v1/devices', {
      type: d.type,
      siteId: siteOf(d.place),
      ...(d.place.zone ? {} : { residentId: residents.get(residentKey(d.place)) }),
      location,
      ...(externalId && { externalId }),
    })
    return {
      ...d,
      type: d.type as FleetDevice['type'],
      id: created.id,
      secret: created.secret,
      ...(externalId && { platformId: externalId }),
    }
  })
  return { version: 1, api: api.base, createdAt: new Date().toISOString(), spec, devices }
}

const residentKey = (p: Place) =>
  p.home ? `home ${p.home}` : `institution ${p.institution} resident ${p.resident}`

/** Saves the fleet with its device secrets: readable by the owner only. */
export async function saveFleet(file: string, fleet: FleetFile) {
  await writeFile(file, `${JSON.stringify(fleet, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
}

export async function loadFleet(file: string): Promise<FleetFile> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new SetupError(`cannot read the fleet file ${file}: ${(err as Error).message}`)
  }
  const parsed = fleetFileSchema.safeParse(raw)
  if (!parsed.success) throw new SetupError(`${file} is not a fleet file: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}
