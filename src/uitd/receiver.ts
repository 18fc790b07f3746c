import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { Logger } from 'pino'
import { type BadFrame, commands, encodeFrame, type Frame, reply } from '../contract/gbt26875/frame.js'
import { FrameReader } from '../contract/gbt26875/reader.js'
import { BadUnit, decodeUnit, encodeUnit, type Unit } from '../contract/gbt26875/units.js'
import type { IngestPort } from '../ingest/port.js'
import type { Metrics } from '../metrics.js'
import type { Db } from '../store/db.js'
import { claimRestoredLink, componentPlaces } from '../store/uitds.js'
import type { TlsFiles } from '../tls.js'
import { FireFirst } from './fire-first.js'
import { LinkWatch } from './link-watch.js'
import { carriesFire, componentKey, labelNow, labelToDate, unitObjects } from './objects.js'
import { type Registered, UitdRegistry } from './registry.js'

// The GB/T 26875.3 receiver: a TCP listener for UITDs. Each frame from a registered address is decoded, its
// objects go through ingest (devices/uitd.ts decides what they mean), and only once they are committed is the
// frame confirmed (command 3, serial echoed, addresses swapped). An unregistered address is denied (6); a frame
// with a bad checksum is counted and kept on its UITD and not confirmed, so the UITD sends it again. A link
// that sends garbage is read one chunk per turn of the event loop and closed past a threshold, so it costs the
// other UITDs nothing; frames carrying a fire alarm go ahead of all others (fire-first.ts).

/** per connection and minute: past either, the link is closed */
const MAX_BAD_FRAMES = 20
const MAX_GARBAGE_BYTES = 64 * 1024
const WINDOW_MS = 60_000
/** a UITD that sends nothing for this long is disconnected (it reconnects; its link timeout is separate) */
const IDLE_MS = 2 * 3_600_000 + 60_000
/** request units the hub answers with its clock */
const CLOCK_REQUESTS = new Set([28, 90])

export interface UitdReceiverDeps {
  db: Db
  ingest: IngestPort
  metrics: Metrics
  log: Logger
  now: () => Date
  /** how often the link watch looks for silent UITDs */
  linkSweepMs: number
}

interface Conn {
  socket: Socket
  reader: FrameReader
  uitd: Registered | null
  windowStart: number
  bad: number
  garbage: number
}

export class UitdReceiver {
  private readonly servers: Server[] = []
  private watching = false
  private readonly conns = new Set<Socket>()
  private readonly registry: UitdRegistry
  private readonly queue = new FireFirst()
  private readonly links: LinkWatch

  constructor(private readonly deps: UitdReceiverDeps) {
    this.registry = new UitdRegistry(deps.db)
    this.links = new LinkWatch({ ...deps, registry: this.registry, everyMs: deps.linkSweepMs })
  }

  /** Listens on `port` (plain TCP, or TLS with `tls`); the link watch starts with the first listener. */
  async start(port: number, host: string, tls?: TlsFiles): Promise<number> {
    const onSocket = (socket: Socket) => this.connect(socket)
    const server = tls ? createTlsServer(tls, onSocket) : createServer(onSocket)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    this.servers.push(server)
    if (!this.watching) this.links.start()
    this.watching = true
    return (server.address() as { port: number }).port
  }

  async close() {
    const closed = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
    for (const s of this.conns) s.destroy()
    await Promise.all(closed)
    await this.links.stop()
  }

  private connect(socket: Socket) {
    const conn: Conn = {
      socket,
      reader: new FrameReader(),
      uitd: null,
      windowStart: Date.now(),
      bad: 0,
      garbage: 0,
    }
    this.conns.add(socket)
    socket.setTimeout(IDLE_MS, () => socket.destroy())
    socket.on('close', () => this.conns.delete(socket))
    socket.on('error', (err) => this.deps.log.debug({ err: err.message }, 'UITD connection error'))
    socket.on('data', (chunk) => {
      this.read(conn, chunk)
      // one chunk per turn: a link sending at full speed waits while every other link is read
      if (!socket.destroyed) {
        socket.pause()
        setImmediate(() => socket.resume())
      }
    })
  }

  private read(conn: Conn, chunk: Buffer) {
    const now = Date.now()
    if (now - conn.windowStart > WINDOW_MS) Object.assign(conn, { windowStart: now, bad: 0, garbage: 0 })
    for (const r of conn.reader.push(chunk)) {
      if ('garbage' in r) conn.garbage += r.garbage
      else if ('bad' in r) {
        conn.bad++
        this.badFrame(conn, r.bad)
      } else this.frame(conn, r.frame)
      if (conn.bad > MAX_BAD_FRAMES || conn.garbage > MAX_GARBAGE_BYTES) {
        this.deps.metrics.uitdFrames.inc({ outcome: 'closed-link' })
        this.deps.log.warn(
          { uitd: conn.uitd?.id, bad: conn.bad, garbage: conn.garbage },
          'UITD link sends garbage: closing',
        )
        conn.socket.destroy()
        return
      }
    }
  }

  /** Counted; kept on the UITD it came from (the connection's, or the address it names) with the reason. */
  private badFrame(conn: Conn, bad: BadFrame) {
    this.deps.metrics.uitdFrames.inc({ outcome: `bad-${bad.reason}` })
    const address = bad.frame?.source
    const uitd = conn.uitd
      ? Promise.resolve(conn.uitd)
      : address
        ? this.registry.lookup(address)
        : Promise.resolve(null)
    uitd
      .then(
        (u) =>
          u &&
          this.deps.ingest.refuse(
            u.session,
            Buffer.from(bad.bytes),
            bad.reason,
            `GB/T 26875.3 frame: ${bad.reason}`,
          ),
      )
      .catch((err) => this.deps.log.error({ err }, 'could not record a bad UITD frame'))
  }

  private frame(conn: Conn, frame: Frame) {
    let unit: Unit | null = null
    let unitError: string | null = null
    if (frame.data.length > 0) {
      try {
        unit = decodeUnit(frame.data)
      } catch (err) {
        if (!(err instanceof BadUnit)) throw err
        unitError = err.message
      }
    }
    const fire = unit !== null && carriesFire(unit)
    this.queue.push(
      () =>
        this.handle(conn, frame, unit, unitError).catch((err) => {
          // nothing was recorded (the hub is stopping, the database is down): no confirm, the UITD repeats
          this.deps.log.error(
            { err, uitd: conn.uitd?.id, serial: frame.serial },
            'UITD frame not taken; not confirmed',
          )
        }),
      fire,
    )
  }

  private async handle(conn: Conn, frame: Frame, unit: Unit | null, unitError: string | null) {
    const { ingest, metrics, now } = this.deps
    const uitd = await this.registry.lookup(frame.source)
    if (!uitd) {
      metrics.uitdFrames.inc({ outcome: 'denied' })
      return this.send(conn, reply(frame, commands.deny, labelNow(now(), 'UTC')))
    }
    conn.uitd = uitd
    const receivedAt = now()
    this.links.heard(uitd.id, receivedAt)
    if (uitd.linkState === 'lost') await this.restored(uitd, receivedAt)
    const zone = uitd.timezone
    if (frame.command === commands.request && unit && CLOCK_REQUESTS.has(unit.type)) {
      metrics.uitdFrames.inc({ outcome: 'answered' })
      const clock = encodeUnit({ type: 90, objects: [{ time: labelNow(now(), zone) }] })
      return this.send(conn, reply(frame, commands.response, labelNow(now(), zone), clock))
    }
    // confirms and denials of what the hub sent, and anything without data, carry nothing to record
    if (frame.command === commands.send || frame.command === commands.response) {
      if (unitError) {
        await ingest.refuse(uitd.session, Buffer.from(encodeFrame(frame)), 'bad-unit', unitError)
      } else if (unit) {
        const frameTime = labelToDate(frame.time, zone) ?? receivedAt
        const objects = unitObjects(frame.serial, frameTime, unit, zone)
        const keys = objects.flatMap((o) =>
          componentKey(o)
            ? [{ system: o.systemAddress as number, component: o.componentAddress as number }]
            : [],
        )
        const places = await componentPlaces(this.deps.db, uitd.id, keys)
        await Promise.all(
          objects.map((o) => {
            const location = places.get(componentKey(o) ?? '')
            return ingest.accept(uitd.session, {
              channel: 'events',
              decoded: location ? { ...o, location } : o,
              topic: `uitd/${uitd.address}`,
            })
          }),
        )
      }
    }
    metrics.uitdFrames.inc({ outcome: 'confirmed' })
    this.send(conn, reply(frame, commands.confirm, labelNow(now(), zone)))
  }

  /** The first frame after a link loss: the link-loss alert is cleared (restoral to the centres), once. */
  private async restored(uitd: Registered, at: Date) {
    uitd.linkState = 'up'
    if (!(await claimRestoredLink(this.deps.db, uitd.id))) return
    const decoded = {
      id: `link-restored.${at.getTime()}`,
      ts: at.toISOString(),
      type: 'link-loss',
      state: 'clear',
    }
    await this.deps.ingest.accept(uitd.session, { channel: 'events', decoded })
  }

  private send(conn: Conn, f: Frame) {
    if (!conn.socket.destroyed) conn.socket.write(encodeFrame(f))
  }
}
