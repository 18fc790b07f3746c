import { randomUUID } from 'node:crypto'
import { type DeviceDefinition, deviceDefinition } from '../../devices/index.js'
import { SimDevice } from '../device.js'
import type { Random } from '../lib/random.js'
import { mapLimit, sleep } from '../lib/util.js'
import { SimOnenet } from '../onenet.js'
import { eventPayload, type MalformedKind, malformedPayload, telemetryPayload } from '../payloads.js'
import { SimUitd } from '../uitd.js'
import type { Counters } from './counters.js'
import type { FleetDevice } from './fleet.js'
import type { AlertTracker } from './tracker.js'

// The connected fleet: one Member per device, its battery and power, and the ways a run makes it speak
// (telemetry on its interval, random events, an event on demand, malformed payloads). Every publish goes
// through the counters; every alarm through the tracker first.

/** Below this battery percentage a device reports `low-battery`, once. */
const LOW_BATTERY = 20
const DAY_MS = 86_400_000

export class Member {
  sim?: SimDevice
  /** a UITD's TCP link (fleet devices with link: uitd) */
  uitd?: SimUitd
  /** the OneNET push of a device with link: onenet */
  onenet?: SimOnenet
  powered = true
  battery: number
  lowBatterySent = false
  readonly def: DeviceDefinition

  constructor(
    readonly device: FleetDevice,
    rng: Random,
  ) {
    this.def = deviceDefinition(device.type)!
    this.battery = rng.int(60, 100)
  }
}

export interface RuntimeOptions {
  mqttUrl: string
  concurrency: number
  telemetryIntervalMs: number
  telemetryQos: 0 | 1
  /** multiplies every battery's drain (0 keeps batteries where they are) */
  drainFactor: number
  /** where UITDs connect (the hub's UITD_PORT) */
  uitd?: { host: string; port: number }
  /** the hub's OneNET push callback and ONENET_PUSH_TOKEN */
  onenet?: { url: string; token: string }
}

/** A push the hub did not answer 2xx failed, as an unacknowledged publish would. */
function accepted(res: { status: number; body: unknown }) {
  if (res.status < 200 || res.status > 299) throw new Error(`OneNET push answered ${res.status}`)
}

export class FleetRuntime {
  readonly members: Member[]
  private readonly byId: Map<string, Member>
  private stopped = false
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(
    devices: readonly FleetDevice[],
    private readonly o: RuntimeOptions,
    private readonly rng: Random,
    private readonly counters: Counters,
    private readonly tracker: AlertTracker,
  ) {
    this.members = devices.map((d) => new Member(d, rng))
    this.byId = new Map(this.members.map((m) => [m.device.id, m]))
  }

  member(d: FleetDevice): Member {
    return this.byId.get(d.id)!
  }

  /** Devices without power at the end: what they had in flight went down with them. */
  get unpowered() {
    return this.members.filter((m) => !m.powered).map((m) => m.device.id)
  }

  get connected() {
    return this.members.filter((m) => m.sim?.client.connected || m.uitd?.connected || m.onenet).length
  }

  /** Connects every device (retained `online` once connected); a device that cannot connect is counted. */
  async connect(onConnected: () => void) {
    await mapLimit(this.members, this.o.concurrency, async (m) => {
      try {
        if (m.device.link) return this.connectPlatform(m, onConnected)
        m.sim = await SimDevice.connect(this.o.mqttUrl, m.device, { reconnectPeriod: 2_000 })
        m.sim.client.on('error', (err) => this.counters.error('mqtt', err))
        this.counters.track('status', m.sim.announce(), m.device.id)
        onConnected()
      } catch (err) {
        this.counters.error('connect', err)
      }
    })
  }

  private async connectPlatform(m: Member, onConnected: () => void) {
    const { link, platformId } = m.device
    if (link === 'uitd') {
      if (!this.o.uitd) throw new Error('the fleet has UITDs: pass --uitd host:port')
      m.uitd = await SimUitd.connect(this.o.uitd.host, this.o.uitd.port, { address: platformId! })
    } else {
      if (!this.o.onenet)
        throw new Error('the fleet has OneNET devices: pass --onenet-url and --onenet-token')
      m.onenet = new SimOnenet(this.o.onenet)
    }
    onConnected()
  }

  /** Sends an event of `type` built from the device's definition (over OneNET push for a OneNET device). */
  event(m: Member, type: string, fields: Record<string, unknown> = {}) {
    if (!m.sim && !m.onenet) return
    const id = m.sim?.newEventId() ?? `e-${randomUUID()}`
    const payload = eventPayload(m.def, type, id, m.sim?.now() ?? Date.now(), fields)
    this.tracker.sending(m.device.id, m.def, type, String(payload.state ?? 'alarm'), id)
    const sent = m.sim
      ? m.sim.publish('events', JSON.stringify(payload))
      : m.onenet!.push(m.onenet!.notify(m.device.platformId!, 'event', { [type]: payload })).then(accepted)
    this.counters.track('events', sent, m.device.id)
  }

  /** One telemetry reading now, and a `low-battery` event the first time the battery is low. */
  telemetry(m: Member) {
    if (!m.sim) return
    const reading = telemetryPayload(m.def, m.battery, m.sim.now(), this.rng)
    this.counters.track(
      'telemetry',
      m.sim.publish('telemetry', JSON.stringify(reading), this.o.telemetryQos),
      m.device.id,
    )
    if (m.battery < LOW_BATTERY && !m.lowBatterySent) {
      m.lowBatterySent = true
      this.event(m, 'low-battery')
    }
  }

  malformed(m: Member, kind: MalformedKind, n: number) {
    if (m.sim)
      this.counters.track('malformed', m.sim.publish('events', malformedPayload(m.def, kind, n)), m.device.id)
  }

  /** Every powered device reports on its interval, starting at a random phase, until stop(). */
  startTelemetry() {
    const every = this.o.telemetryIntervalMs
    const drain = (m: Member) => (m.def.simulator.batteryDrainPerDay * every * this.o.drainFactor) / DAY_MS
    for (const m of this.members) {
      const tick = () => {
        if (this.stopped) return
        if (m.powered) {
          m.battery = Math.max(0, m.battery - drain(m))
          this.telemetry(m)
        }
        this.later(every, tick)
      }
      this.later(this.rng.next() * every, tick)
    }
  }

  /** Random events across the fleet, `perMinute` on average (a Poisson process), until stop(). */
  startRandomEvents(perMinute: number) {
    if (perMinute <= 0) return
    const next = () => {
      if (this.stopped) return
      const m = this.members[this.rng.int(0, this.members.length - 1)]!
      const type = this.rng.weighted(m.def.simulator.randomEvents)
      if (m.powered && type) this.event(m, type)
      this.later(this.rng.exponential(60_000 / perMinute), next)
    }
    this.later(this.rng.exponential(60_000 / perMinute), next)
  }

  later(ms: number, fn: () => void) {
    if (this.stopped) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      fn()
    }, ms)
    this.timers.add(timer)
  }

  /** Stops telemetry, random events and anything scheduled. */
  stop() {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  /** Waits (at most `ms`) until no publish is awaiting its PUBACK. */
  async drained(ms: number) {
    const deadline = Date.now() + ms
    while (this.counters.inFlight > 0 && Date.now() < deadline) await sleep(20)
  }

  /** A simulator leaving says so: retained `offline`, then a clean disconnect. */
  async disconnect() {
    await mapLimit(this.members, this.o.concurrency, async (m) => {
      m.uitd?.close()
      const sim = m.sim
      if (!sim) return
      if (sim.client.connected) await sim.publish('status', 'offline', 1, true).catch(() => {})
      await sim.client.endAsync(true).catch(() => {})
    })
  }
}
