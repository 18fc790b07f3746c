import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { deviceDefinition } from '../../devices/index.js'
import type { CommandMessage } from '../contract/command-json.js'
import { deviceTopic, inboundChannels, parseDeviceTopic, TOPIC_ROOT } from '../contract/topics.js'
import { StoppingError } from '../ingest/group-commit.js'
import type { IngestPort } from '../ingest/port.js'
import type { DeviceSession } from '../ingest/session.js'
import type { Metrics } from '../metrics.js'
import { StartupError } from '../startup-error.js'
import type { Db } from '../store/db.js'
import { deviceLookup } from './device-lookup.js'
import type { BrokerPort } from './port.js'

// External-broker mode (MQTT_URL): the hub is an MQTT 5 client of the devices' cluster, which authenticates
// devices (through /api/v1/broker/auth and /acl) and enforces their topics. Each instance consumes the device
// topics through shared subscriptions, so N instances split the load; each of its sessions is persistent (clean
// start off, a stable client id, QoS 1) and acknowledges a message only once the ingest port (src/ingest/port.ts) has committed it, so
// what a killed instance had not committed is redelivered when that session comes back.
// MQTT.js handles one incoming packet at a time and holds the next until the custom ack is given, so one
// session carries one message in flight: an instance opens `sessions` of them to keep group commit fed.

export const SHARE_GROUP = 'hub'
export const sharedFilters = [...inboundChannels].map((c) => `$share/${SHARE_GROUP}/${TOPIC_ROOT}/+/${c}`)

/** how long the cluster keeps a session (and what it routed to it) while its instance is down */
const SESSION_EXPIRY_S = 7 * 86_400
const CONNECT_WAIT_MS = 30_000
const DEVICE_CACHE_MS = 60_000

export interface ExternalBrokerDeps {
  url: string
  /** the instance's stable id; session n is `${instanceId}-${n}` */
  instanceId: string
  sessions: number
  /** device rows (the main pool) */
  db: Db
  ingest: IngestPort
  metrics: Metrics
  log: Logger
}

export class ExternalBroker implements BrokerPort {
  private clients: MqttClient[] = []
  private readonly lookup: ReturnType<typeof deviceLookup>
  private readonly devices = new Map<string, { session: DeviceSession | null; at: number }>()

  constructor(private readonly deps: ExternalBrokerDeps) {
    this.lookup = deviceLookup(deps.db)
  }

  async start(): Promise<number> {
    const { url, instanceId, sessions, log } = this.deps
    for (let n = 0; n < sessions; n++) this.clients.push(this.connect(`${instanceId}-${n}`))
    await Promise.all(this.clients.map((c) => this.connected(c)))
    log.info({ url: redact(url), instanceId, sessions, filters: sharedFilters }, 'consuming the MQTT cluster')
    const u = new URL(url)
    return Number(u.port) || (u.protocol === 'mqtts:' ? 8883 : 1883)
  }

  private connect(clientId: string): MqttClient {
    const options: IClientOptions = {
      clientId,
      protocolVersion: 5,
      clean: false,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      customHandleAcks: (topic, payload, packet, done) => {
        this.receive(topic, payload, packet.qos).then(
          () => done(0),
          (err) => this.failed(client, clientId, err, done),
        )
      },
    }
    const client = mqtt.connect(this.deps.url, options)
    client.on('connect', (connack) => {
      // a session the cluster still had keeps its subscriptions; subscribing again is harmless
      this.deps.log.info(
        { clientId, sessionPresent: connack.sessionPresent },
        'connected to the MQTT cluster',
      )
      client
        .subscribeAsync(sharedFilters, { qos: 1 })
        .catch((err) => this.deps.log.error({ err, clientId }, 'subscribing to the device topics failed'))
    })
    client.on('error', (err) =>
      this.deps.log.warn({ err: err.message, clientId }, 'MQTT cluster session error'),
    )
    client.on('offline', () => this.deps.log.warn({ clientId }, 'MQTT cluster session offline; reconnecting'))
    return client
  }

  private connected(client: MqttClient) {
    return new Promise<void>((resolve, reject) => {
      if (client.connected) return resolve()
      const timer = setTimeout(() => {
        reject(new StartupError(`cannot reach the MQTT cluster at ${redact(this.deps.url)}`))
      }, CONNECT_WAIT_MS)
      client.once('connect', () => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Settles once the message is committed, or dropped for good (not a device topic, unknown device). */
  private async receive(topic: string, payload: Buffer, qos: number) {
    const startedAt = process.hrtime.bigint()
    const target = parseDeviceTopic(topic)
    if (!target || target.channel === 'commands') {
      this.deps.metrics.mqttRefused.inc({ reason: 'publish-acl' })
      return
    }
    const device = await this.device(target.deviceId)
    if (!device) {
      this.deps.metrics.mqttRefused.inc({ reason: 'unknown-device' })
      this.deps.log.warn({ topic }, 'a message for an unknown device from the cluster: dropped')
      return
    }
    const message = { channel: target.channel, bytes: payload, qos, topic }
    await this.deps.ingest.accept(device, message, undefined, startedAt)
  }

  /** Not acknowledged: the cluster redelivers it when this session reconnects, which a fault forces now. */
  private failed(client: MqttClient, clientId: string, err: unknown, done: (e: Error) => void) {
    const stopping = err instanceof StoppingError
    this.deps.log[stopping ? 'debug' : 'error'](
      { err, clientId },
      'ingest failed; the message is not acknowledged',
    )
    done(err as Error)
    if (!stopping) client.stream?.destroy()
  }

  /** The device as ingest needs it, cached briefly (the cluster already checked its credentials and topics). */
  private async device(id: string): Promise<DeviceSession | null> {
    const now = Date.now()
    const hit = this.devices.get(id)
    if (hit && now - hit.at < DEVICE_CACHE_MS) return hit.session
    const row = await this.lookup(id)
    const definition = row && deviceDefinition(row.type)
    const session =
      row && definition ? { id: row.id, siteId: row.site_id, residentId: row.resident_id, definition } : null
    this.devices.set(id, { session, at: now })
    return session
  }

  async publishCommand(deviceId: string, message: CommandMessage) {
    const client = this.clients.find((c) => c.connected)
    if (!client) throw new Error('no session to the MQTT cluster is connected')
    await client.publishAsync(deviceTopic(deviceId, 'commands'), JSON.stringify(message), { qos: 1 })
  }

  handleWebSocket(ws: WebSocket) {
    ws.close(1008, 'devices connect to the MQTT cluster')
  }

  get closed() {
    return !this.clients.some((c) => c.connected)
  }

  /** Nothing to stop: messages that arrive once ingest has stopped are not acknowledged (redelivered later). */
  stopAccepting() {}

  async close() {
    await Promise.all(this.clients.splice(0).map((c) => c.endAsync()))
  }
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@')
