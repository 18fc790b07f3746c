import type { IncomingMessage } from 'node:http'
import { createServer, type Server } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import { Aedes, type AuthenticateError } from 'aedes'
import type { Logger } from 'pino'
import { createWebSocketStream, type WebSocket } from 'ws'
import { deviceDefinition } from '../../devices/index.js'
import type { CommandMessage } from '../contract/command-json.js'
import { type DeviceChannel, deviceTopic, inboundChannels, parseDeviceTopic } from '../contract/topics.js'
import { StoppingError } from '../ingest/group-commit.js'
import type { Ingest } from '../ingest/ingest.js'
import type { DeviceSession } from '../ingest/session.js'
import { stageStart } from '../ingest/stage-sampling.js'
import { type Metrics, secondsSince } from '../metrics.js'
import type { Db } from '../store/db.js'
import {
  type AccountSession,
  accountMayPublish,
  accountMaySubscribe,
  authenticateAccount,
  isAccountUsername,
} from './accounts.js'
import { ConnectGuard, type GuardedClient, type GuardLimits, type GuardRefusal } from './connect-guard.js'
import { deviceLookup } from './device-lookup.js'
import { verifyDeviceSecret } from './device-secret.js'

// The embedded MQTT broker: device authentication and the topic ACL as aedes hooks, and ingest inside
// authorizePublish, whose callback is what releases the PUBACK: a device is acknowledged only after commit.

export interface BrokerDeps {
  /** device look-ups at CONNECT (the main pool: never behind telemetry) */
  db: Db
  ingest: Ingest
  metrics: Metrics
  log: Logger
  secretKey: string
  /** a socket that sends no CONNECT within this is closed */
  connectTimeoutMs: number
  limits: GuardLimits
}

type RefusalReason =
  | 'no-credentials'
  | 'unknown-device'
  | 'bad-secret'
  | 'empty-client-id'
  | 'publish-acl'
  | 'subscribe-acl'
  | 'bad-account'
  | GuardRefusal

interface HubClient extends GuardedClient {
  device?: DeviceSession
  account?: AccountSession
  emptyPersistentId?: boolean
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return (server.address() as { port: number }).port
}

function refusal(returnCode: 2 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

export class Broker {
  private aedes?: Aedes
  private server?: Server
  private serverClosed?: Promise<unknown>
  private tlsServer?: Server

  private readonly lookup: ReturnType<typeof deviceLookup>
  private readonly guard: ConnectGuard

  constructor(private readonly deps: BrokerDeps) {
    this.lookup = deviceLookup(deps.db)
    this.guard = new ConnectGuard(deps.limits, (reason) => this.refuse(reason))
  }

  private refuse(reason: RefusalReason) {
    this.deps.metrics.mqttRefused.inc({ reason })
  }

  async start(port: number, host = '0.0.0.0'): Promise<number> {
    const { metrics, log } = this.deps
    this.aedes = await Aedes.createBroker({
      connectTimeout: this.deps.connectTimeoutMs,
      preConnect: (client: HubClient, packet, done) => {
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
        if (client?.account) return this.authorizeAccountPublish(client, packet.topic, done)
        const device = client?.device
        const target = parseDeviceTopic(packet.topic)
        if (!device || target?.deviceId !== device.id || !inboundChannels.has(target.channel)) {
          this.refuse('publish-acl')
          log.warn({ device: device?.id, topic: packet.topic }, 'publish outside the device topics: closing')
          return done(new Error('not authorized to publish there'))
        }
        const startedAt = stageStart(target.channel)
        const admitted = this.guard.admitMessage(client)
        if (admitted === 'over') {
          log.warn({ device: device.id }, 'messages far above the rate limit: closing')
          return done(new Error('message rate exceeded'))
        }
        const ingesting = admitted
          ? admitted.then(() => this.ingestPublish(device, target.channel, packet, startedAt))
          : this.ingestPublish(device, target.channel, packet, startedAt)
        ingesting.then(
          () => {
            // aedes writes the PUBACK and fans the message out inside this call
            const t = startedAt === null ? null : process.hrtime.bigint()
            done(null)
            if (t !== null) {
              const pipeline = target.channel === 'events' ? 'events' : 'telemetry'
              metrics.stageSeconds.observe({ pipeline, stage: 'publish' }, secondsSince(t))
            }
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
        if (client.account && accountMaySubscribe(client.account, sub.topic)) return done(null, sub)
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
      this.guard.disconnected(c)
    })
    this.aedes.on('ack', (packet, client: HubClient) => this.onCommandAck(packet, client))
    this.aedes.on('clientError', (client, err) =>
      log.debug({ client: client.id, err: err.message }, 'mqtt client error'),
    )
    const aedes = this.aedes
    this.server = createServer((socket) => this.guard.accept(aedes, socket, socket.remoteAddress))
    return listen(this.server, port, host)
  }

  private ingestPublish(
    device: DeviceSession,
    channel: DeviceChannel,
    packet: { topic: string; payload: string | Buffer; qos: number },
    startedAt: bigint | null,
  ) {
    return this.deps.ingest.handle(
      device,
      channel,
      packet.topic,
      packet.payload as Buffer,
      packet.qos,
      startedAt,
    )
  }

  private async authenticate(client: HubClient, username?: string, password?: Buffer) {
    if (client.emptyPersistentId) {
      this.refuse('empty-client-id')
      throw refusal(2, 'identifier rejected')
    }
    if (!username || !password) {
      this.refuse('no-credentials')
      this.guard.authFailed(client)
      throw refusal(5, 'not authorized')
    }
    if (isAccountUsername(username)) return this.authenticateAccount(client, username, password)
    const owner = `device:${username}`
    const throttled = this.guard.beforeAuth(client, owner)
    if (throttled) throw throttled
    const row = await this.lookup(username)
    const definition = row && deviceDefinition(row.type)
    if (!row || !definition) {
      this.refuse('unknown-device')
      this.guard.authFailed(client)
      throw refusal(5, 'not authorized')
    }
    const { secretKey } = this.deps
    // a rotated secret's predecessor works until its grace period ends (the look-up gives it only until then)
    const current = verifyDeviceSecret(secretKey, password, row.secret_hash)
    const previous =
      !current && row.old_secret_hash && verifyDeviceSecret(secretKey, password, row.old_secret_hash)
    if (!current && !previous) {
      this.refuse('bad-secret')
      this.guard.authFailed(client)
      throw refusal(5, 'not authorized')
    }
    const taken = this.guard.authenticated(client, owner, previous ? row.old_secret_until : null)
    if (taken) throw taken
    client.device = { id: row.id, siteId: row.site_id, residentId: row.resident_id, definition }
  }

  private async authenticateAccount(client: HubClient, username: string, password: Buffer) {
    const throttled = this.guard.beforeAuth(client, `account:${username}`)
    if (throttled) throw throttled
    const account = await authenticateAccount(this.deps.db, this.deps.secretKey, username, password)
    if (!account) {
      this.refuse('bad-account')
      this.guard.authFailed(client)
      throw refusal(5, 'not authorized')
    }
    const taken = this.guard.authenticated(client, `account:${account.id}`)
    if (taken) throw taken
    client.account = account
  }

  /** An account publishes within its rights, at its connection's rate; nothing it sends reaches ingest. */
  private authorizeAccountPublish(client: HubClient, topic: string, done: (err: Error | null) => void) {
    if (!accountMayPublish(client.account!, topic)) {
      this.refuse('publish-acl')
      return done(new Error('not authorized to publish there'))
    }
    const admitted = this.guard.admitMessage(client)
    if (admitted === 'over') return done(new Error('message rate exceeded'))
    if (admitted) admitted.then(() => done(null))
    else done(null)
  }

  /** Publishes a hub message (QoS 1) for the subscribers the ACL lets have it. */
  async publishHub(topic: string, payload: Buffer) {
    const aedes = this.aedes
    if (!aedes || aedes.closed) throw new Error('the broker is not running')
    const packet = { cmd: 'publish' as const, topic, payload, qos: 1 as const, retain: false, dup: false }
    await new Promise<void>((resolve, reject) =>
      aedes.publish(packet, (err) => (err ? reject(err) : resolve())),
    )
  }

  /**
   * An owner's credentials ended (`device:<id>`: its secret rotated or revoked, the device deleted;
   * `account:<id>`: the MQTT account changed or deleted): its open connections close at once, or at `at`
   * (the end of the old secret's grace period).
   */
  endSessions(owner: string, at: Date | null, deleted: boolean) {
    this.guard.endSessions(owner, at, deleted)
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
    if (this.aedes) this.guard.accept(this.aedes, createWebSocketStream(ws), req.socket.remoteAddress, req)
  }

  get connectedClients() {
    return this.aedes?.connectedClients ?? 0
  }

  get closed() {
    return !this.server?.listening
  }

  /** MQTT over TLS (MQTTS_PORT), once start() has run: the same broker behind a TLS listener. */
  async listenTls(port: number, host: string, options: TlsOptions): Promise<number> {
    const aedes = this.aedes
    if (!aedes) throw new Error('start the broker first')
    this.tlsServer = createTlsServer(options, (socket) =>
      this.guard.accept(aedes, socket, socket.remoteAddress),
    )
    return listen(this.tlsServer, port, host)
  }

  /** Stops accepting connections; clients already connected stay until close(). */
  stopAccepting() {
    if (this.tlsServer?.listening) this.tlsServer.close()
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
