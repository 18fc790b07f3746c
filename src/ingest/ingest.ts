import { ZodError } from 'zod'
import { COMMAND_RESULT } from '../../devices/index.js'
import type { AlertRunner } from '../alerting/runner.js'
import type { Bus, DeviceMessage } from '../bus.js'
import type { DeviceChannel } from '../contract/topics.js'
import type { Metrics } from '../metrics.js'
import type { Pools } from '../store/db.js'
import { TelemetryAdmission } from './admission.js'
import { CommandResults } from './command-results.js'
import { eventWriter, type IncomingEvent } from './event-writer.js'
import { GroupCommitter } from './group-commit.js'
import type { Acknowledge, InboundMessage, IngestPort } from './port.js'
import { RejectQuota } from './reject-quota.js'
import type { DeviceSession } from './session.js'
import { type StateItem, TELEMETRY_BATCHING, telemetryWriter } from './telemetry-writer.js'

export const MAX_PAYLOAD_BYTES = 4096

/** A device's row follows its readings at most this often, unless its status or battery changed (device-rows.ts). */
export const DEVICE_ROW_EVERY_MS = 1000

export type RejectReason = 'too-large' | 'not-json' | 'unknown-type' | 'schema' | 'store-refused'

class Rejected extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(detail)
  }
}

/** The stage recorder of a reading left out of the timing sample. */
const untimed = (_stage: string, since: bigint) => since

/** A decoded message's value, or its bytes parsed as JSON. */
function messageValue(m: InboundMessage): unknown {
  return 'decoded' in m ? m.decoded : parseJson(m.bytes)
}

/** What a rejected message is kept as: its bytes, or a decoded value as JSON. */
function rawOf(m: InboundMessage): Buffer {
  if ('bytes' in m) return m.bytes
  return Buffer.from(JSON.stringify(m.decoded) ?? 'null')
}

function parseJson(payload: Buffer): unknown {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new Rejected('too-large', `${payload.length} bytes; at most ${MAX_PAYLOAD_BYTES}`)
  }
  try {
    return JSON.parse(payload.toString('utf8'))
  } catch (err) {
    throw new Rejected('not-json', (err as Error).message)
  }
}

/**
 * The reason text quotes the payload, which may carry what PostgreSQL text cannot hold (NUL, a lone surrogate):
 * such a reject would fail to be recorded and the message would never be acknowledged.
 */
const storableText = (s: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must go
  s.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')

function schemaDetail(err: ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')
}

/** `online` / `offline`, bare or as a JSON string (both are seen in the field). */
function parseStatus(payload: Buffer): 'online' | 'offline' {
  const s = payload
    .toString('utf8')
    .trim()
    .replace(/^"(.*)"$/, '$1')
  if (s === 'online' || s === 'offline') return s
  throw new Rejected('schema', 'status must be "online" or "offline"')
}

export interface IngestOptions {
  /** telemetry readings admitted but not yet committed, at most (HUB_TELEMETRY_BUDGET) */
  telemetryBudget: number
  /** how long an event id and payload count as a retransmission (HUB_DEDUPE_WINDOW) */
  dedupeWindowMs: number
}

/**
 * Topic → device → decode → write. Every message settles only when what it carries is committed; a bad
 * payload is recorded and settles too (so the device's PUBACK never loops), and never touches another
 * device's messages. Alarms pre-empt telemetry: events have their own writer and database pool; a reading
 * is decoded only once admitted (never while an alarm is being committed, see admission.ts), and the
 * telemetry writer starts no batch while one is.
 */
export class Ingest implements IngestPort {
  private readonly events: GroupCommitter<IncomingEvent>
  private readonly state: GroupCommitter<StateItem>
  private readonly admission: TelemetryAdmission
  private readonly quota = new RejectQuota()
  private alarmsIdle: (() => void)[] = []
  /** writes the device rows held back (device-rows.ts) */
  private rowFlush?: NodeJS.Timeout
  readonly commands: CommandResults

  constructor(
    pools: Pools,
    private readonly bus: Bus,
    private readonly metrics: Metrics,
    private readonly alerts: AlertRunner,
    opts: IngestOptions,
  ) {
    this.commands = new CommandResults(pools.main, bus)
    this.events = new GroupCommitter(eventWriter(alerts, metrics, opts.dedupeWindowMs), {
      maxBatch: 500,
      capacity: 20_000,
      onRetry: () => metrics.batchRetries.inc({ pipeline: 'events' }),
      onIdle: () => {
        for (const wake of this.alarmsIdle.splice(0)) wake()
        this.admission.wake()
      },
    })
    this.admission = new TelemetryAdmission({
      budget: opts.telemetryBudget,
      alarmBusy: () => this.events.busy,
    })
    const rowsHeld = () => {
      this.rowFlush ??= setTimeout(() => {
        this.rowFlush = undefined
        this.state.offer({ kind: 'flush' })
      }, DEVICE_ROW_EVERY_MS)
    }
    const writer = telemetryWriter(pools.telemetry, metrics, {
      deviceRowEveryMs: DEVICE_ROW_EVERY_MS,
      onHeld: rowsHeld,
    })
    this.state = new GroupCommitter(writer, {
      ...TELEMETRY_BATCHING,
      onRetry: () => metrics.batchRetries.inc({ pipeline: 'telemetry' }),
      gate: () => (this.events.busy ? new Promise<void>((r) => this.alarmsIdle.push(r)) : Promise.resolve()),
    })
    metrics.probes.queues = () => ({
      ...this.queueDepth,
      'telemetry-admitted': this.admission.depth.admitted,
      'telemetry-waiting': this.admission.depth.waiting,
    })
  }

  /** The MQTT broker's call: a PUBLISH on a device topic (see `accept`). */
  handle(
    device: DeviceSession,
    channel: DeviceChannel,
    topic: string,
    payload: Buffer,
    qos: number,
    startedAt: bigint | null = process.hrtime.bigint(),
  ) {
    if (channel === 'commands') throw new Error('devices do not publish on their commands topic')
    return this.accept(device, { channel, bytes: payload, qos, topic }, undefined, startedAt)
  }

  async accept(
    device: DeviceSession,
    message: InboundMessage,
    ack?: Acknowledge,
    startedAt: bigint | null = process.hrtime.bigint(),
  ) {
    try {
      await this.settle(device, message, startedAt)
    } catch (err) {
      ack?.(err as Error)
      throw err
    }
    ack?.(null)
  }

  refuse(device: DeviceSession, raw: Buffer, reason: string, detail: string, topic = '(frame)') {
    return this.reject(device, topic, raw, reason, detail, this.alerts.clock.now())
  }

  private async settle(device: DeviceSession, message: InboundMessage, startedAt: bigint | null) {
    // arrival on the alerting runner's clock: the alert decided from this event uses the same one
    const receivedAt = this.alerts.clock.now()
    const { channel } = message
    const topic = message.topic ?? `(${channel})`
    try {
      await this.route(device, message, receivedAt, startedAt)
      // readings are counted by the batch that wrote them
      if (channel !== 'telemetry') this.metrics.messages.inc({ channel })
    } catch (err) {
      const raw = rawOf(message)
      if (err instanceof Rejected) return this.reject(device, topic, raw, err.reason, err.message, receivedAt)
      if (err instanceof ZodError)
        return this.reject(device, topic, raw, 'schema', schemaDetail(err), receivedAt)
      if ((err as { code?: string }).code?.match(/^2[23]/)) {
        return this.reject(device, topic, raw, 'store-refused', (err as Error).message, receivedAt)
      }
      throw err
    }
  }

  private async route(d: DeviceSession, m: InboundMessage, receivedAt: Date, startedAt: bigint | null) {
    if (m.channel === 'status') {
      if (!('bytes' in m)) throw new Rejected('schema', 'status is sent as bytes')
      const status = parseStatus(m.bytes)
      await this.state.submit({ kind: 'status', deviceId: d.id, status, receivedAt })
      return this.observed(d, receivedAt, { status })
    }
    if (m.channel === 'telemetry') return this.telemetry(d, m, m.qos ?? 1, receivedAt, startedAt)
    const stage = this.stages('events')
    let t = stage('broker-auth', startedAt ?? process.hrtime.bigint())
    const json = messageValue(m)
    const type = (json as { type?: unknown } | null)?.type
    if (typeof type === 'string' && !(type in d.definition.events)) {
      throw new Rejected('unknown-type', `a ${d.definition.type} does not send "${type}"`)
    }
    const event = d.definition.decodeEvent(json)
    const rule = d.definition.events[event.type]!
    t = stage('decode', t)
    await this.events.submit({ device: d, event, rule, receivedAt, payload: json })
    stage('commit', t)
    this.observed(d, receivedAt, { event: { id: event.id, type: event.type, state: event.state } })
    // after the event's commit, before its PUBACK: a retransmitted result is recorded at most once
    if (event.type === COMMAND_RESULT) await this.commands.answered(d.id, event)
    this.state.offer({ kind: 'seen', deviceId: d.id, receivedAt })
  }

  /** A reading: admitted (or shed, or held), decoded, committed; its share of the budget freed after commit. */
  private async telemetry(
    d: DeviceSession,
    m: InboundMessage,
    qos: number,
    receivedAt: Date,
    startedAt: bigint | null,
  ) {
    // one reading in 16 is timed (stage-sampling.ts)
    const stage = startedAt === null ? untimed : this.stages('telemetry')
    const refused = this.admission.tryEnter()
    if (refused && qos === 0) return this.metrics.shed.inc({ reason: refused })
    if (refused) {
      this.metrics.held.inc({ reason: refused })
      await this.admission.enter()
    }
    let t = stage('broker-auth', startedAt ?? 0n)
    let committing: Promise<void>
    let item: Extract<StateItem, { kind: 'reading' }>
    try {
      item = {
        kind: 'reading',
        deviceId: d.id,
        reading: d.definition.decodeTelemetry(messageValue(m)),
        metrics: d.definition.metrics ?? [],
        receivedAt,
      }
      t = stage('decode', t)
      committing = this.state.submit(item)
    } catch (err) {
      this.admission.leave()
      throw err
    }
    const done = committing
      .finally(() => {
        this.admission.leave()
        stage('commit', t)
      })
      .then(() => this.observed(d, receivedAt, { reading: item.reading }))
    if (qos > 0) return done
    done.catch(() => {}) // QoS 0: fire and forget, the device is not waiting
  }

  /** Tells the rules what a committed message said. */
  private observed(d: DeviceSession, receivedAt: Date, what: Partial<DeviceMessage>) {
    this.bus.emit('device.message', {
      deviceId: d.id,
      deviceType: d.definition.type,
      siteId: d.siteId,
      residentId: d.residentId,
      receivedAt,
      ...what,
    })
  }

  /** Records one stage of a pipeline and returns the time it ended (the next stage's start). */
  private stages(pipeline: 'events' | 'telemetry') {
    const h = this.metrics.stageSeconds
    return (stage: string, since: bigint) => {
      const now = process.hrtime.bigint()
      h.observe({ pipeline, stage }, Number(now - since) / 1e9)
      return now
    }
  }

  private async reject(
    device: DeviceSession,
    topic: string,
    raw: Buffer,
    reason: RejectReason | string,
    detail: string,
    receivedAt: Date,
  ) {
    this.metrics.rejected.inc({ reason })
    const keep = this.quota.take(device.id, receivedAt.getTime())
    await this.state.submit({
      kind: 'reject',
      deviceId: device.id,
      receivedAt,
      topic,
      reason,
      detail: storableText(detail),
      raw,
      keep,
    })
  }

  /** Writes what is queued; later messages are refused. */
  async stop() {
    // held readings go on to be refused by the stopped writer: their devices retry after reconnecting
    this.admission.release()
    clearTimeout(this.rowFlush)
    this.state.offer({ kind: 'flush' })
    await Promise.all([this.events.drain(), this.state.drain()])
  }

  get queueDepth() {
    return { events: this.events.depth, telemetry: this.state.depth }
  }
}
