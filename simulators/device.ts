import mqtt, { type MqttClient } from 'mqtt'
import { COMMAND_RESULT } from '../devices/index.js'
import type { CommandMessage } from '../src/contract/command-json.js'
import { type DeviceChannel, deviceTopic } from '../src/contract/topics.js'

// One simulated device over real MQTT: the building block of tests, the benchmark and the simulator CLI.
// It speaks the contract's envelope (topics, event id and time, retained status with an "offline" last
// will); what goes inside a payload is the caller's, built from the device definitions (simulators/payloads.ts).

export interface DeviceCredentials {
  id: string
  secret: string
}

export class SimDevice {
  private nextEvent = 1
  /** Event ids must stay unique for the device across reconnects and simulator runs, as a real device's do. */
  private readonly session = Date.now().toString(36)
  /** How far the device's clock is off (clock-skew scenarios); its `ts` fields carry the skew. */
  clockOffsetMs = 0

  /** the automatic reconnect period the device was connected with, restored by reconnect() */
  private readonly autoReconnectMs: number

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {
    this.autoReconnectMs = client.options.reconnectPeriod ?? 0
  }

  /** Connects with the device's credentials, a persistent session and an "offline" last will. */
  static async connect(
    url: string,
    creds: DeviceCredentials,
    opts: mqtt.IClientOptions = {},
  ): Promise<SimDevice> {
    const client = await mqtt.connectAsync(url, {
      username: creds.id,
      password: creds.secret,
      clientId: `sim-${creds.id}`,
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: deviceTopic(creds.id, 'status'), payload: Buffer.from('offline'), qos: 1, retain: true },
      ...opts,
    })
    return new SimDevice(creds.id, client)
  }

  /** The device's own clock. */
  now() {
    return Date.now() + this.clockOffsetMs
  }

  topic(channel: DeviceChannel) {
    return deviceTopic(this.id, channel)
  }

  /** Publishes raw bytes to one of this device's topics; resolves on PUBACK. */
  async publish(channel: DeviceChannel, payload: string | Buffer, qos: 0 | 1 = 1, retain = false) {
    await this.client.publishAsync(this.topic(channel), payload, { qos, retain })
  }

  /** The retained `online` status a device sets once it is connected. */
  async announce() {
    await this.publish('status', 'online', 1, true)
  }

  /** A fresh event id, unique for this device. */
  newEventId() {
    return `e-${this.session}-${this.nextEvent++}`
  }

  /** Sends a canonical event with a fresh id, or the given one (a retransmission also needs the same payload and ts). */
  async event(type: string, extra: Record<string, unknown> = {}, id = this.newEventId()) {
    const ts = new Date(this.now()).toISOString()
    await this.publish('events', JSON.stringify({ id, ts, type, ...extra }))
    return id
  }

  async telemetry(values: Record<string, number>, qos: 0 | 1 = 1) {
    await this.publish('telemetry', JSON.stringify({ ts: this.now(), ...values }), qos)
  }

  /**
   * The link drops without a DISCONNECT (power cut, network loss): the broker publishes the last will.
   * Unacknowledged QoS 1 messages stay queued and go out again on `reconnect()` (persistent session).
   */
  dropLink() {
    this.client.options.reconnectPeriod = 0
    this.client.stream?.destroy()
  }

  /** Reconnects after `dropLink()` and resends what was not acknowledged. */
  async reconnect(timeoutMs = 10_000) {
    this.client.options.reconnectPeriod = this.autoReconnectMs
    if (this.client.connected) return
    let onConnect = () => {}
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('connect', onConnect)
        reject(new Error(`${this.id}: no reconnect within ${timeoutMs} ms`))
      }, timeoutMs)
      onConnect = () => {
        clearTimeout(timer)
        resolve()
      }
      this.client.once('connect', onConnect)
    })
    // without its stores, MQTT.js would reconnect with empty ones and drop what waits for a PUBACK
    this.client.reconnect({
      incomingStore: this.client.incomingStore,
      outgoingStore: this.client.outgoingStore,
    })
    await connected
  }

  /**
   * Subscribes to the device's commands and answers each with a command-result event (`ok` unless `answer`
   * says otherwise). Returns the list the commands received are pushed to, as they arrive.
   */
  async answerCommands(
    answer: (c: CommandMessage) => { ok: boolean; detail?: string } = () => ({ ok: true }),
  ) {
    const received: CommandMessage[] = []
    this.client.on('message', (topic, payload) => {
      if (topic !== this.topic('commands')) return
      const command = JSON.parse(payload.toString('utf8')) as CommandMessage
      received.push(command)
      void this.event(COMMAND_RESULT, { command: command.id, ...answer(command) }).catch(() => {})
    })
    await this.client.subscribeAsync(this.topic('commands'), { qos: 1 })
    return received
  }

  async close() {
    await this.client.endAsync()
  }
}
