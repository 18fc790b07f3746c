import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { deviceDefinition } from '../../devices/index.js'
import type { DeviceCredentials, SimDevice } from '../device.js'
import type { HubApi } from '../lib/api.js'
import { mapLimit, sleep, tempDir } from '../lib/util.js'
import { eventPayload } from '../payloads.js'
import { ServerProcess } from './child.js'
import type { Cleanup } from './cleanup.js'
import { connectAll, disconnectAll } from './load.js'
import type { BenchOptions } from './options.js'
import { drive, Pass, type PassResult } from './pass.js'
import { jsonReceiver } from './receiver.js'
import { stageMeans, stageSnapshot } from './stage-metrics.js'
import { startBare, startHub, type Target } from './targets.js'

type HubTarget = Awaited<ReturnType<typeof startHub>>

// `npm run bench -- --flood`: do alarms pre-empt telemetry? On each target (bare aedes, then the hub), SOS and
// smoke alarms at `probeRate` per second each, first on a quiet server, then while a second process floods it
// with telemetry (`floodDevices` devices × one QoS 1 reading every `telemetryEvery`). Hub: SOS PUBLISH →
// `alert.opened` on the live feed, smoke PUBLISH → the monitoring centre receiving `fire`; bare: PUBLISH →
// its subscriber, for both.

const button = deviceDefinition('call-button')!
const detector = deviceDefinition('smoke-detector')!
const INSTITUTIONS = 5
const SETTLE_MS = 60_000
/** the flood child exits on its own after this long, whatever happens to this process */
const FLOOD_MAX_MS = 180_000

export interface FloodPasses {
  sos: PassResult
  fire: PassResult
}

export interface FloodRound {
  target: 'bare' | 'hub'
  /** hub: mean ms per message in each ingest stage during each pass, and the event loop's lag p99 */
  stages?: { quiet: Record<string, number>; flooded: Record<string, number>; lagP99Ms: number }
  quiet: FloodPasses
  flooded: FloodPasses
  telemetry: { sent: number; failed: number; unacked: number; seconds: number }
  /** why the server did not stop cleanly after the round, if it did not */
  stopError?: string
}

interface Fleet {
  /** per pass (quiet, flooded): call buttons and smoke detectors, fresh devices so every alarm opens an alert */
  sos: DeviceCredentials[][]
  smoke: DeviceCredentials[][]
  flood: DeviceCredentials[]
}

async function provision(api: HubApi, o: BenchOptions, centreUrl: string): Promise<Fleet> {
  const post = <T>(p: string, body: unknown) => api.expect<T>(201, 'POST', p, body)
  const home = await post<{ id: string }>('/api/v1/sites', { kind: 'home', name: 'Bench', address: '1 Road' })
  const buttons = (n: number) =>
    mapLimit(Array.from({ length: n }), 50, () =>
      post<DeviceCredentials>('/api/v1/devices', { type: 'call-button', siteId: home.id }),
    )
  const sites = await mapLimit(Array.from({ length: INSTITUTIONS }), 1, async (_, i) => {
    const site = await post<{ id: string }>('/api/v1/sites', {
      kind: 'institution',
      name: `Bench home ${i}`,
      address: `${i} Bench Road`,
    })
    await post(`/api/v1/sites/${site.id}/monitoring-centres`, { name: 'Bench centre', url: centreUrl })
    return site.id
  })
  // one zone per detector: two alarms in one zone would add a fire-confirmed signal to the measured traffic
  const detectors = (n: number, pass: number) =>
    mapLimit(Array.from({ length: n }), 50, (_, j) =>
      post<DeviceCredentials>('/api/v1/devices', {
        type: 'smoke-detector',
        siteId: sites[j % INSTITUTIONS],
        location: { building: 'A', floor: String(pass), zone: `Z${j}`, room: `${j}` },
      }),
    )
  const n = o.probes
  return {
    sos: [await buttons(n), await buttons(n)],
    smoke: [await detectors(n, 0), await detectors(n, 1)],
    flood: await buttons(o.floodDevices),
  }
}

/** Where the monitoring centre's `fire` signals go: set by the pass under way. */
const centre = { onFire: (_deviceId: string) => {} }

/** SOS from `buttons` and smoke from `detectors`, each at `rate` per second, side by side. */
async function alarms(
  target: Target,
  buttons: SimDevice[],
  detectors: SimDevice[],
  rate: number,
  label: string,
): Promise<FloodPasses> {
  const sos = new Pass(`${label} SOS`, { kind: 'paced', rate }, buttons.length)
  const smoke = new Pass(`${label} fire`, { kind: 'paced', rate }, detectors.length)
  const smokeIds = new Set(detectors.map((d) => d.id))
  // bare: both arrive at the subscriber; hub: smoke is timed to the centre, its alert.opened is not the figure
  target.onArrival = (deviceId, eventId) => {
    if (!smokeIds.has(deviceId)) sos.arrived(`${deviceId}/${eventId}`)
    else if (target.kind === 'bare') smoke.arrived(deviceId)
  }
  centre.onFire = (deviceId) => smoke.arrived(deviceId)
  const send = (pass: Pass, d: SimDevice, key: (id: string) => string, type: string) => {
    const id = d.newEventId()
    pass.sending(key(id))
    const payload = JSON.stringify(eventPayload(type === 'sos' ? button : detector, type, id, d.now()))
    d.publish('events', payload).then(
      () => pass.acked(key(id)),
      (err) => pass.failed(key(id), err),
    )
  }
  await Promise.all([
    drive(buttons.length, sos.mode, (i) => {
      const d = buttons[i]!
      send(sos, d, (id) => `${d.id}/${id}`, 'sos')
    }),
    drive(detectors.length, smoke.mode, (i) => {
      const d = detectors[i]!
      send(smoke, d, () => d.id, 'smoke')
    }),
  ])
  const result = { sos: await sos.settle(SETTLE_MS), fire: await smoke.settle(SETTLE_MS) }
  target.onArrival = () => {}
  centre.onFire = () => {}
  return result
}

/** The telemetry flood in a process of its own, connected and sending; stop() ends it and returns its counts. */
async function startFlood(target: Target, creds: DeviceCredentials[], o: BenchOptions, cleanup: Cleanup) {
  const dir = await tempDir('hub-bench-flood-')
  cleanup.defer('remove the flood files', () => rm(dir, { recursive: true, force: true }))
  await writeFile(path.join(dir, 'creds.json'), JSON.stringify(creds))
  const child = ServerProcess.spawn(
    'telemetry flood',
    'simulators/bench/flood-child.ts',
    {
      FLOOD_URL: target.mqttUrl,
      FLOOD_CREDS: path.join(dir, 'creds.json'),
      FLOOD_EVERY_MS: String(o.floodEveryMs),
      FLOOD_STATS: path.join(dir, 'stats.json'),
      FLOOD_MAX_MS: String(FLOOD_MAX_MS),
    },
    cleanup,
  )
  await child.waitReady(async () => child.firstJsonLine<{ ready: boolean }>(), FLOOD_MAX_MS / 2, 100)
  const t0 = performance.now()
  await sleep(3_000) // let the flood reach its pace
  return {
    async stop() {
      await child.stop()
      const stats = JSON.parse(await readFile(path.join(dir, 'stats.json'), 'utf8'))
      return { ...stats, seconds: (performance.now() - t0) / 1000 } as FloodRound['telemetry']
    },
  }
}

async function floodRound(
  kind: 'bare' | 'hub',
  fleet: Fleet,
  o: BenchOptions & { databaseUrl: string },
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<FloodRound> {
  const target =
    kind === 'bare'
      ? await startBare(cleanup)
      : await startHub(o.databaseUrl, cleanup, {
          // long verification windows: the run times the first signal, not the confirmations that follow
          HUB_FIRE_ACK_WINDOW: '1h',
          HUB_FIRE_INVESTIGATE_WINDOW: '1h',
        })
  let devices: SimDevice[] = []
  cleanup.defer(`disconnect the ${kind} alarm devices`, () => disconnectAll(devices, o.connectConcurrency))
  const connect = async (creds: DeviceCredentials[]) => {
    const c = await connectAll(target, creds, o.connectConcurrency)
    devices.push(...c.devices)
    const byId = new Map(c.devices.map((d) => [d.id, d]))
    return creds.map((x) => byId.get(x.id)!)
  }
  const [sos0, sos1, smoke0, smoke1] = [
    await connect(fleet.sos[0]!),
    await connect(fleet.sos[1]!),
    await connect(fleet.smoke[0]!),
    await connect(fleet.smoke[1]!),
  ]
  const snapshot = async () =>
    target.kind === 'hub'
      ? stageSnapshot(new URL('/metrics', (target as HubTarget).api.base).href)
      : undefined
  const s0 = await snapshot()
  const quiet = await alarms(target, sos0!, smoke0!, o.probeRate, `${kind} quiet`)
  const s1 = await snapshot()
  log(
    `${kind} quiet: SOS p99 ${quiet.sos.e2e.p99.toFixed(1)} ms, fire p99 ${quiet.fire.e2e.p99.toFixed(1)} ms`,
  )
  log(`${kind}: connecting ${fleet.flood.length} flood devices in a process of their own…`)
  const flood = await startFlood(target, fleet.flood, o, cleanup)
  const s2 = await snapshot()
  const flooded = await alarms(target, sos1!, smoke1!, o.probeRate, `${kind} flooded`)
  const s3 = await snapshot()
  const telemetry = await flood.stop()
  const stages =
    s0 && s1 && s2 && s3
      ? { quiet: stageMeans(s0, s1), flooded: stageMeans(s2, s3), lagP99Ms: s3.eventLoopLagP99 * 1000 }
      : undefined
  log(
    `${kind} flooded: SOS p99 ${flooded.sos.e2e.p99.toFixed(1)} ms, fire p99 ${flooded.fire.e2e.p99.toFixed(1)} ms; telemetry ${telemetry.sent} sent, ${telemetry.unacked} unacked`,
  )
  await disconnectAll(devices, o.connectConcurrency)
  devices = []
  // a server that cannot stop cleanly is reported, not allowed to lose the figures (cleanup ends it)
  const stopError = await target.stop().then(
    () => undefined,
    (err: Error) => err.message.split('\n')[0],
  )
  if (stopError) log(`${kind}: ${stopError}`)
  return { target: kind, quiet, flooded, telemetry, stopError, stages }
}

/** Provisions through a hub (then stopped), and runs a bare round and a hub round. */
export async function runFlood(
  o: BenchOptions & { databaseUrl: string },
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<FloodRound[]> {
  const receiver = await jsonReceiver((body) => {
    const s = body as { kind?: string; device?: { id: string } | null }
    if (s.kind === 'fire' && s.device) centre.onFire(s.device.id)
  })
  cleanup.defer('close the centre', receiver.close)
  log(`provisioning ${4 * o.probes} alarm devices and ${o.floodDevices} flood devices…`)
  const fleet = await (async () => {
    const hub = await startHub(o.databaseUrl, cleanup)
    const f = await provision(hub.api, o, receiver.url)
    await hub.stop()
    return f
  })()
  const rounds: FloodRound[] = []
  for (const kind of ['bare', 'hub'] as const) rounds.push(await floodRound(kind, fleet, o, cleanup, log))
  return rounds
}
