import mqtt, { type MqttClient } from 'mqtt'
import { type DeviceChannel, deviceTopic } from '../src/contract/topics.js'

// One simulated device over real MQTT: the building block of tests, the benchmark and the simulator CLI.

export interface DeviceCredentials {
  id: string
  secret: string
}

export class SimDevice {
  private nextEvent = 1
  /** Event ids must stay unique for the device across reconnects and simulator runs, as a real device's do. */
  private readonly session = Date.now().toString(36)

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {}

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

  topic(channel: DeviceChannel) {
    return deviceTopic(this.id, channel)
  }

  /** Publishes raw bytes to one of this device's topics; resolves on PUBACK. */
  async publish(channel: DeviceChannel, payload: string | Buffer, qos: 0 | 1 = 1, retain = false) {
    await this.client.publishAsync(this.topic(channel), payload, { qos, retain })
  }

  /** Sends a canonical event with a fresh id (or the given one, to retransmit); returns the id. */
  async event(
    type: string,
    extra: Record<string, unknown> = {},
    id = `e-${this.session}-${this.nextEvent++}`,
  ) {
    await this.publish('events', JSON.stringify({ id, ts: new Date().toISOString(), type, ...extra }))
    return id
  }

  async telemetry(values: Record<string, number>, qos: 0 | 1 = 1) {
    await this.publish('telemetry', JSON.stringify({ ts: Date.now(), ...values }), qos)
  }

  async close() {
    await this.client.endAsync()
  }
}
