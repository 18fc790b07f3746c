import mqtt from 'mqtt'
import pg from 'pg'
import { parseDeviceTopic, TOPIC_ROOT } from '../../src/contract/topics.js'
import { freePort } from '../../src/net.js'
import { HubApi } from '../lib/api.js'
import { LiveFeedClient } from '../lib/live-feed.js'
import { healthy, ServerProcess } from './child.js'
import type { Cleanup } from './cleanup.js'

// The two things the benchmark measures, each in a process of its own and seen through the same interface:
// where devices connect, where an SOS arrives (bare: a wildcard subscriber; hub: `alert.opened` on the
// live feed) and how much telemetry has been delivered (bare: to the subscriber; hub: rows in the database).

export const ADMIN_PASSWORD = 'bench-admin-password'
const READY_TIMEOUT_MS = 60_000

export interface Target {
  kind: 'bare' | 'hub'
  mqttUrl: string
  server: ServerProcess
  /** set by the pass under way: called once per SOS arriving at the far end */
  onArrival: (deviceId: string, eventId: string) => void
  /** telemetry messages delivered so far */
  delivered(): Promise<number>
  /** stops receivers and the server; resolves with the server's stop time */
  stop(): Promise<number>
}

export async function startBare(cleanup: Cleanup): Promise<Target> {
  const server = ServerProcess.spawn('bare aedes', 'simulators/bench/bare-server.ts', {}, cleanup)
  const { port } = await server.waitReady(
    async () => server.firstJsonLine<{ port: number }>(),
    READY_TIMEOUT_MS,
  )
  const mqttUrl = `mqtt://127.0.0.1:${port}`
  const subscriber = await mqtt.connectAsync(mqttUrl, { clientId: 'bench-subscriber', reconnectPeriod: 0 })
  let telemetry = 0
  const target: Target = {
    kind: 'bare',
    mqttUrl,
    server,
    onArrival: () => {},
    delivered: async () => telemetry,
    stop: async () => {
      await subscriber.endAsync(true)
      return server.stop()
    },
  }
  subscriber.on('message', (topic, payload) => {
    const t = parseDeviceTopic(topic)
    if (t?.channel === 'telemetry') telemetry++
    else if (t) target.onArrival(t.deviceId, (JSON.parse(payload.toString()) as { id: string }).id)
  })
  // telemetry at QoS 0: the one subscriber (in the client process) must not become the bottleneck
  await subscriber.subscribeAsync({
    [`${TOPIC_ROOT}/+/events`]: { qos: 1 },
    [`${TOPIC_ROOT}/+/telemetry`]: { qos: 0 },
  })
  return target
}

export async function startHub(
  databaseUrl: string,
  cleanup: Cleanup,
  env: Record<string, string> = {},
): Promise<Target & { api: HubApi }> {
  const httpPort = await freePort()
  const mqttPort = await freePort()
  const server = ServerProcess.spawn(
    'hub',
    'src/main.ts',
    {
      DATABASE_URL: databaseUrl,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: String(mqttPort),
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      // the flood drives 100 devices at hundreds of messages a second each, standing in for a fleet: the
      // per-device limit (HUB_MQTT_MESSAGE_RATE, 200/s) would measure the limit, not the hub
      HUB_MQTT_MESSAGE_RATE: '1000000',
      HUB_MQTT_MESSAGE_BURST: '1000000',
      // the benchmarks' receivers (monitoring centre, webhooks) listen on loopback: the SSRF guard allows it
      HUB_OUTBOUND_ALLOW: '127.0.0.0/8,::1,localhost',
      ...env,
    },
    cleanup,
  )
  await server.waitReady(async () => ((await healthy(httpPort)) ? true : undefined), READY_TIMEOUT_MS)
  const api = new HubApi(`http://127.0.0.1:${httpPort}`)
  await api.login('admin', ADMIN_PASSWORD)
  const feed = await LiveFeedClient.open(api.base, api.bearer)
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  const target = {
    kind: 'hub' as const,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    server,
    api,
    onArrival: (_deviceId: string, _eventId: string) => {},
    delivered: async () => Number((await db.query('SELECT count(*) AS n FROM readings')).rows[0].n),
    stop: async () => {
      feed.close()
      api.abort()
      await db.end()
      return server.stop()
    },
  }
  feed.onMessage = (m) => {
    if (m.kind === 'alert.opened' && m.data.deviceId && m.data.event)
      target.onArrival(m.data.deviceId, m.data.event.id)
  }
  return target
}
