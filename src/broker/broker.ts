import type { IncomingMessage } from 'node:http'
import { createServer, type Server } from 'node:net'
import { Aedes, type AuthenticateError, type Client } from 'aedes'
import type { Logger } from 'pino'
import { createWebSocketStream, type WebSocket } from 'ws'
import { deviceDefinition } from '../../devices/index.js'
import type { CommandMessage } from '../contract/command-json.js'
import { deviceTopic, inboundChannels, parseDeviceTopic } from '../contract/topics.js'
import { StoppingError } from '../ingest/group-commit.js'
import type { Ingest } from '../ingest/ingest.js'
import type { DeviceSession } from '../ingest/session.js'
import { type Metrics, secondsSince } from '../metrics.js'
import type { Db } from '../store/db.js'
import { deviceLookup } from './device-lookup.js'
import { verifyDeviceSecret } from './device-secret.js'
import { limitPacketSize } from './packet-limit.js'

// The embedded MQTT broker: device authentication and the topic ACL as aedes hooks, and ingest inside
// authorizePublish, whose callback is what releases the PUBACK: a device is acknowledged only after commit.

export interface BrokerDeps {
  /** device look-ups at CONNECT (the main pool: never behind telemetry) */
  db: Db
  ingest: Ingest
  metrics: Metrics
  log: Logger
  secretKey: string
}

type RefusalReason =
  | 'no-credentials'
  | 'unknown-device'
  | 'bad-secret'
  | 'empty-client-id'
  | 'publish-acl'
  | 'subscribe-acl'
  | 'packet-too-large'

interface HubClient extends Client {
  device?: DeviceSession
  emptyPersistentId?: boolean
}

function refusal(returnCode: 2 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

export class Broker {
  private aedes?: Aedes
  private server?: Server
  private serverClosed?: Promise<unknown>

  private readonly lookup: ReturnType<typeof deviceLookup>

  constructor(private readonly deps: BrokerDeps) {
    this.lookup = deviceLookup(deps.db)
  }

  private refuse(reason: RefusalReason) {
    this.deps.metrics.mqttRefused.inc({ reason })
  }

  async start(port: number, host = '0.0.0.0'): Promise<number> {
    const { metrics, log } = this.deps
    this.aedes = await Aedes.createBroker({
      preConnect: (client: HubClient, packet, done) => {
        limitPacketSize(client, undefined, () => this.refuse('packet-too-large'))
        // [MQTT-3.1.3-8]: a zero-length client id needs a clean session; aedes alone would accept it
        client.emptyPersistentId = !packet.clientId && packet.clean === false
        done(null, true)
      },
      authenticate: (client: HubClient, username, password, done) => {
        this.authenticate(client, username, password).then(
          () => done(null, true),
          (err: AuthenticateError) => done(err, false),
        )
      },
      authorizePublish: (client: HubClient | null, packet, done) => {
        const startedAt = process.hrtime.bigint()
        const device = client?.device
        const target = parseDeviceTopic(packet.topic)
        if (!device || target?.deviceId !== device.id || !inboundChannels.has(target.channel)) {
          this.refuse('publish-acl')
          log.warn({ device: device?.id, topic: packet.topic }, 'publish outside the device topics: closing')
          return done(new Error('not authorized to publish there'))
        }
        const pipeline = target.channel === 'events' ? 'events' : 'telemetry'
        this.deps.ingest
          .handle(device, target.channel, packet.topic, packet.payload as Buffer, packet.qos, startedAt)
          .then(
            () => {
              // aedes writes the PUBACK and fans the message out inside this call
              const t = process.hrtime.bigint()
              done(null)
              metrics.stageSeconds.observe({ pipeline, stage: 'publish' }, secondsSince(t))
            },
            (err) => {
              // refusals while stopping are expected (wills fire as devices are disconnected)
              const level = err instanceof StoppingError ? 'debug' : 'error'
              log[level]({ err, device: device.id }, 'ingest failed; the message is not acknowledged')
              done(err as Error)
            },
          )
      },
      authorizeSubscribe: (client: HubClient, sub, done) => {
        const target = parseDeviceTopic(sub.topic)
        if (client.device && target?.deviceId === client.device.id && target.channel === 'commands') {
          return done(null, sub)
        }
        this.refuse('subscribe-acl')
        done(null, null) // SUBACK failure 0x80
      },
    })
    this.aedes.on('client', (c: HubClient) => {
      metrics.mqttClients.inc()
      if (c.device) metrics.devicesConnected.inc({ type: c.device.definition.type })
    })
    this.aedes.on('clientDisconnect', (c: HubClient) => {
      metrics.mqttClients.dec()
      if (c.device) metrics.devicesConnected.dec({ type: c.device.definition.type })
    })
    this.aedes.on('ack', (packet, client: HubClient) => this.onCommandAck(packet, client))
    this.aedes.on('clientError', (client, err) =>
      log.debug({ client: client.id, err: err.message }, 'mqtt client error'),
    )
    const aedes = this.aedes
    this.server = createServer((socket) => aedes.handle(socket))
    const server = this.server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    return (server.address() as { port: number }).port
  }

  private async authenticate(client: HubClient, username?: string, password?: Buffer) {
    if (client.emptyPersistentId) {
      this.refuse('empty-client-id')
      throw refusal(2, 'identifier rejected')
    }
    if (!username || !password) {
      this.refuse('no-credentials')
      throw refusal(5, 'not authorized')
    }
    const row = await this.lookup(username)
    const definition = row && deviceDefinition(row.type)
    if (!row || !definition) {
      this.refuse('unknown-device')
      throw refusal(5, 'not authorized')
    }
    if (!verifyDeviceSecret(this.deps.secretKey, password, row.secret_hash)) {
      this.refuse('bad-secret')
      throw refusal(5, 'not authorized')
    }
    client.device = { id: row.id, siteId: row.site_id, residentId: row.resident_id, definition }
  }

  /**
   * Publishes a command at QoS 1 on the device's commands topic. A device that is offline with a persistent
   * session gets it when it reconnects (kept in the broker's memory: a hub restart loses it).
   */
  async publishCommand(deviceId: string, message: CommandMessage) {
    const aedes = this.aedes
    if (!aedes || aedes.closed) throw new Error('the broker is not running')
    const packet = {
      cmd: 'publish' as const,
      topic: deviceTopic(deviceId, 'commands'),
      payload: Buffer.from(JSON.stringify(message)),
      qos: 1 as const,
      retain: false,
      dup: false,
    }
    await new Promise<void>((resolve, reject) =>
      aedes.publish(packet, (err) => (err ? reject(err) : resolve())),
    )
  }

  /** A device's PUBACK of one of its commands: the command is delivered. */
  private onCommandAck(packet: unknown, client: HubClient) {
    const p = packet as { topic?: string; payload?: Buffer } | undefined
    const device = client?.device
    const target = p?.topic ? parseDeviceTopic(p.topic) : null
    if (!device || target?.deviceId !== device.id || target.channel !== 'commands' || !p?.payload) return
    this.deps.ingest.commands
      .delivered(device.id, Buffer.from(p.payload))
      .catch((err) => this.deps.log.warn({ err, device: device.id }, 'could not record a command delivery'))
  }

  /** MQTT over WebSocket (the HTTP server's /mqtt upgrade). */
  handleWebSocket(ws: WebSocket, req: IncomingMessage) {
    this.aedes?.handle(createWebSocketStream(ws), req)
  }

  get connectedClients() {
    return this.aedes?.connectedClients ?? 0
  }

  get closed() {
    return !this.server?.listening
  }

  /** Stops accepting connections; clients already connected stay until close(). */
  stopAccepting() {
    const server = this.server
    // the callback fires once the last connection has gone, i.e. after close()
    if (server?.listening) this.serverClosed = new Promise((r) => server.close(r))
  }

  /** Disconnects every client. */
  async close() {
    this.stopAccepting()
    const aedes = this.aedes
    if (aedes && !aedes.closed) await new Promise<void>((r) => aedes.close(() => r()))
    await this.serverClosed
  }
}
