import { ZodError } from 'zod'
import { COMMAND_RESULT } from '../../devices/index.js'
import type { AlertRunner } from '../alerting/runner.js'
import type { Bus } from '../bus.js'
import type { DeviceChannel } from '../contract/topics.js'
import type { Metrics } from '../metrics.js'
import type { Db } from '../store/db.js'
import { CommandResults } from './command-results.js'
import { eventWriter, type IncomingEvent } from './event-writer.js'
import { GroupCommitter } from './group-commit.js'
import { RejectQuota } from './reject-quota.js'
import type { DeviceSession } from './session.js'
import { type StateItem, telemetryWriter } from './telemetry-writer.js'

export const MAX_PAYLOAD_BYTES = 4096

export type RejectReason = 'too-large' | 'not-json' | 'unknown-type' | 'schema' | 'store-refused'

class Rejected extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(detail)
  }
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

/**
 * Topic → device → decode → write. Every message settles only when what it carries is committed; a bad
 * payload is recorded and settles too (so the device's PUBACK never loops), and never touches another
 * device's messages. Events and telemetry have separate writers, so an alarm never queues behind readings.
 */
export class Ingest {
  private readonly events: GroupCommitter<IncomingEvent>
  private readonly state: GroupCommitter<StateItem>
  private readonly quota = new RejectQuota()
  readonly commands: CommandResults

  constructor(
    db: Db,
    bus: Bus,
    private readonly metrics: Metrics,
    alerts: AlertRunner,
  ) {
    this.commands = new CommandResults(db, bus)
    this.events = new GroupCommitter(eventWriter(alerts, metrics), {
      maxBatch: 500,
      capacity: 20_000,
      onRetry: () => metrics.batchRetries.inc({ pipeline: 'events' }),
    })
    this.state = new GroupCommitter(telemetryWriter(db, metrics), {
      maxBatch: 2_000,
      capacity: 50_000,
      onRetry: () => metrics.batchRetries.inc({ pipeline: 'telemetry' }),
    })
  }

  async handle(device: DeviceSession, channel: DeviceChannel, topic: string, payload: Buffer, qos: number) {
    const receivedAt = new Date()
    try {
      await this.route(device, channel, payload, qos, receivedAt)
      this.metrics.messages.inc({ channel })
    } catch (err) {
      if (err instanceof Rejected)
        return this.reject(device, topic, payload, err.reason, err.message, receivedAt)
      if (err instanceof ZodError)
        return this.reject(device, topic, payload, 'schema', schemaDetail(err), receivedAt)
      if ((err as { code?: string }).code?.match(/^2[23]/)) {
        return this.reject(device, topic, payload, 'store-refused', (err as Error).message, receivedAt)
      }
      throw err
    }
  }

  private async route(
    d: DeviceSession,
    channel: DeviceChannel,
    payload: Buffer,
    qos: number,
    receivedAt: Date,
  ) {
    if (channel === 'status') {
      return this.state.submit({ kind: 'status', deviceId: d.id, status: parseStatus(payload), receivedAt })
    }
    const json = parseJson(payload)
    if (channel === 'telemetry') {
      const item: StateItem = {
        kind: 'reading',
        deviceId: d.id,
        reading: d.definition.decodeTelemetry(json),
        receivedAt,
      }
      if (qos > 0) return this.state.submit(item)
      if (!this.state.offer(item)) this.metrics.shed.inc()
      return
    }
    const type = (json as { type?: unknown } | null)?.type
    if (typeof type === 'string' && !(type in d.definition.events)) {
      throw new Rejected('unknown-type', `a ${d.definition.type} does not send "${type}"`)
    }
    const event = d.definition.decodeEvent(json)
    const rule = d.definition.events[event.type]!
    await this.events.submit({ device: d, event, rule, receivedAt, payload: json })
    // after the event's commit, before its PUBACK: a retransmitted result is recorded at most once
    if (event.type === COMMAND_RESULT) await this.commands.answered(d.id, event)
    this.state.offer({ kind: 'seen', deviceId: d.id, receivedAt })
  }

  private async reject(
    device: DeviceSession,
    topic: string,
    raw: Buffer,
    reason: RejectReason,
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
      detail,
      raw,
      keep,
    })
  }

  /** Writes what is queued; later messages are refused. */
  async stop() {
    await Promise.all([this.events.drain(), this.state.drain()])
  }

  get queueDepth() {
    return { events: this.events.depth, telemetry: this.state.depth }
  }
}
