import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { deviceDefinition } from '../devices/index.js'
import { type Cleanup, runAllCleanups, scoped } from './bench/cleanup.js'
import { benchDatabase } from './bench/database.js'
import { startHub } from './bench/targets.js'
import { SimDevice } from './device.js'
import { runCli } from './lib/cli.js'
import { LiveFeedClient } from './lib/live-feed.js'
import { startMosquitto } from './lib/mosquitto.js'
import { Random } from './lib/random.js'
import { Latency } from './lib/stats.js'
import { mapLimit, sleep } from './lib/util.js'
import { telemetryPayload } from './payloads.js'

// The cluster benchmark (issue 15): one and then two hub instances on one database behind Mosquitto 2 in
// external-broker mode. Each device sends PRESSES distinct SOS back to back (so one device's events reach both
// instances at once), then READINGS telemetry readings at QoS 1. Reported: alerts/s (PUBLISH of the first to
// the last press counted on hub 1's live feed), p99 PUBLISH → live feed on hub 1 (whichever instance
// committed it), readings/s (first publish to the last row in `readings`).
//   npm run bench:cluster -- [devices] [presses] [readings]      defaults 1000 10 5
// (HUB_MQTT_SESSIONS in the environment sets the hubs' sessions per instance)

const [DEVICES = 1000, PRESSES = 10, READINGS = 5] = process.argv.slice(2).map(Number)
const WAIT_MS = 180_000

async function until(what: string, done: () => boolean | Promise<boolean>) {
  const deadline = performance.now() + WAIT_MS
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`)
    await sleep(20)
  }
}

async function run(instances: number, cleanup: Cleanup) {
  const database = await benchDatabase(cleanup)
  const mosquitto = await startMosquitto()
  cleanup.defer('stop mosquitto', () => mosquitto.stop())
  const hubs = []
  for (let i = 0; i < instances; i++) {
    const hub = await startHub(database.url, cleanup, {
      MQTT_URL: mosquitto.url,
      HUB_INSTANCE_ID: `bench-hub-${i}`,
      ...(process.env.HUB_MQTT_SESSIONS && { HUB_MQTT_SESSIONS: process.env.HUB_MQTT_SESSIONS }),
    })
    cleanup.defer(`stop hub ${i}`, () => hub.stop())
    hubs.push(hub)
  }
  const { api } = hubs[0]!
  const site = await api.expect<{ id: string }>(201, 'POST', '/api/v1/sites', {
    kind: 'institution',
    name: 'Cluster bench',
    address: '1 Bench Road',
  })
  const creds: { id: string; secret: string }[] = []
  for (let i = 0; i < DEVICES; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, DEVICES - i) }, (_, n) => ({
      type: 'call-button',
      room: `r${i + n}`,
    }))
    const res = await api.expect<{ accepted: { id: string; secret: string }[] }>(
      200,
      'POST',
      `/api/v1/sites/${site.id}/devices/import`,
      rows,
    )
    creds.push(...res.accepted)
  }
  const devices = await mapLimit(creds, 100, (c) => SimDevice.connect(mosquitto.url, c))
  cleanup.defer('disconnect the devices', () => Promise.all(devices.map((d) => d.client.endAsync(true))))

  // the feed on hub 1; a press's latency ends when the feed shows its device's alert at that count
  const feed = await LiveFeedClient.open(api.base, api.bearer)
  const sentAt = new Map<string, number[]>()
  const latency = new Latency()
  let counted = 0
  let lastAt = 0
  feed.onMessage = (m) => {
    if (m.kind !== 'alert.opened' && m.kind !== 'alert.updated') return
    const times = m.data.deviceId ? sentAt.get(m.data.deviceId) : undefined
    const sent = times?.[m.data.count - 1]
    if (sent === undefined) return
    latency.record(performance.now() - sent)
    counted++
    lastAt = performance.now()
  }
  const t0 = performance.now()
  await Promise.all(
    devices.map((d) => {
      const times: number[] = []
      sentAt.set(d.id, times)
      return Promise.all(
        Array.from({ length: PRESSES }, () => {
          times.push(performance.now())
          return d.event('sos')
        }),
      )
    }),
  )
  await until('every press on the feed', () => counted >= DEVICES * PRESSES)
  const alertsPerS = (DEVICES * PRESSES) / ((lastAt - t0) / 1000)
  const lat = latency.summary()

  const def = deviceDefinition('call-button')!
  const rng = new Random(15)
  const db = new pg.Client({ connectionString: database.url })
  await db.connect()
  cleanup.defer('close the bench connection', () => db.end())
  const readings = async () => Number((await db.query('SELECT count(*) AS n FROM readings')).rows[0].n)
  const before = await readings()
  const r0 = performance.now()
  await Promise.all(
    devices.map((d) =>
      Promise.all(
        Array.from({ length: READINGS }, () =>
          d.publish('telemetry', JSON.stringify(telemetryPayload(def, 90, Date.now(), rng)), 1),
        ),
      ),
    ),
  )
  await until('every reading stored', async () => (await readings()) - before >= DEVICES * READINGS)
  const readingsPerS = (DEVICES * READINGS) / ((performance.now() - r0) / 1000)
  // stored size, uncompressed (TimescaleDB compresses readings after 7 days), indexes included
  const perRow = async (table: string) =>
    Number(
      (
        await db.query(
          `SELECT pg_total_relation_size('${table}')::float8 / greatest(count(*), 1) AS b FROM ${table}`,
        )
      ).rows[0].b,
    )
  const bytes = { reading: await perRow('readings'), event: await perRow('events') }
  return { instances, alertsPerS, lat, readingsPerS, bytes, gaps: feed.seqGaps, closed: feed.closed?.code }
}

runCli('bench:cluster', async () => {
  console.log(`${DEVICES} devices × ${PRESSES} SOS, then × ${READINGS} readings, behind Mosquitto 2`)
  const results = []
  for (const instances of [1, 2]) {
    results.push(await scoped((cleanup) => run(instances, cleanup)))
    const r = results.at(-1)!
    console.log(
      `${r.instances} instance(s): ${r.alertsPerS.toFixed(0)} alerts/s · PUBLISH → live feed p50 ${r.lat.p50.toFixed(0)} ms, p99 ${r.lat.p99.toFixed(0)} ms, max ${r.lat.max.toFixed(0)} ms · ${r.readingsPerS.toFixed(0)} readings/s · ${r.bytes.reading.toFixed(0)} B/reading, ${r.bytes.event.toFixed(0)} B/event stored · feed gaps ${r.gaps}${r.closed ? ` · feed closed ${r.closed}` : ''}`,
    )
  }
  await runAllCleanups()
  return 0
})
