import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { ROOT } from './bench/child.js'
import { runAllCleanups, scoped } from './bench/cleanup.js'
import { benchDatabase } from './bench/database.js'
import { jsonReceiver } from './bench/receiver.js'
import { startHub } from './bench/targets.js'
import { SimDevice } from './device.js'
import { runCli } from './lib/cli.js'
import { Latency, type LatencySummary } from './lib/stats.js'
import { mapLimit, sleep } from './lib/util.js'
import { localLabel, SimUitd } from './uitd.js'

// `npm run bench:uitd`: the GB/T 26875.3 receiver. (1) Throughput: UITDs send state reports as fast as their
// confirms come back (a window of frames in flight each); frames decoded, committed and confirmed per second.
// (2) Latency: UITD fire frame → the monitoring centre receiving "fire", interleaved with MQTT smoke alarms in
// the same run and hub, so the two paths are compared under the same conditions. Short by default.

const UITDS = Number(process.env.BENCH_UITD_COUNT ?? 10)
const FRAMES = Number(process.env.BENCH_UITD_FRAMES ?? 500)
const WINDOW = Number(process.env.BENCH_UITD_WINDOW ?? 16)
const ALARMS = Number(process.env.BENCH_UITD_ALARMS ?? 100)
const RATE = Number(process.env.BENCH_UITD_RATE ?? 20)
const progress = (line: string) => console.error(`· ${line}`)
const address = (n: number, kind: number) =>
  `0b${kind.toString(16).padStart(2, '0')}${n.toString(16).padStart(8, '0')}`

function freePort(): Promise<number> {
  const s = createServer()
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    }),
  )
}

async function main(): Promise<number> {
  return scoped(async (cleanup) => {
    const db = await benchDatabase(cleanup)
    const sentAt = new Map<string, number>()
    const latency = { uitd: new Latency(), mqtt: new Latency() }
    const pathOf = new Map<string, 'uitd' | 'mqtt'>()
    const centre = await jsonReceiver((body) => {
      const s = body as { kind: string; device: { id: string } | null }
      const t0 = s.kind === 'fire' && s.device ? sentAt.get(s.device.id) : undefined
      if (t0 !== undefined) latency[pathOf.get(s.device!.id)!].record(performance.now() - t0)
    })
    cleanup.defer('close the centre', centre.close)
    const uitdPort = await freePort()
    const hub = await startHub(db.url, cleanup, {
      UITD_PORT: String(uitdPort),
      HUB_FIRE_ACK_WINDOW: '1h',
      HUB_FIRE_INVESTIGATE_WINDOW: '1h',
    })
    cleanup.defer('stop the hub', () => hub.stop())
    const post = <T>(p: string, body: unknown) => hub.api.expect<T>(201, 'POST', p, body)
    const site = await post<{ id: string }>('/api/v1/sites', {
      kind: 'institution',
      name: 'Bench home',
      address: '1 Bench Road',
    })
    await post(`/api/v1/sites/${site.id}/monitoring-centres`, { name: 'Bench centre', url: centre.url })

    progress(`throughput: ${UITDS} UITDs × ${FRAMES} state frames, ${WINDOW} in flight each…`)
    const senders = await mapLimit(Array.from({ length: UITDS }), 10, async (_, i) => {
      await post(`/api/v1/sites/${site.id}/uitds`, { address: address(i, 1) })
      return SimUitd.connect('127.0.0.1', uitdPort, { address: address(i, 1), repeatMs: 30_000 })
    })
    cleanup.defer('close the UITDs', () => {
      for (const u of senders) u.close()
    })
    const t0 = performance.now()
    await Promise.all(
      senders.map((u) =>
        mapLimit(Array.from({ length: FRAMES }), WINDOW, () =>
          u.send(21, [{ state: 1, time: localLabel() }]),
        ),
      ),
    )
    const seconds = (performance.now() - t0) / 1000
    const framesPerSecond = (UITDS * FRAMES) / seconds

    progress(`latency: ${ALARMS} UITD fire frames and ${ALARMS} MQTT smoke alarms, interleaved at ${RATE}/s…`)
    // one UITD and one detector per alarm: a second alarm of either would fold into the first one's alert
    const fireUitds = await mapLimit(Array.from({ length: ALARMS }), 10, async (_, i) => {
      const reg = await post<{ deviceId: string }>(`/api/v1/sites/${site.id}/uitds`, {
        address: address(i, 2),
      })
      pathOf.set(reg.deviceId, 'uitd')
      return { id: reg.deviceId, u: await SimUitd.connect('127.0.0.1', uitdPort, { address: address(i, 2) }) }
    })
    cleanup.defer('close the fire UITDs', () => {
      for (const f of fireUitds) f.u.close()
    })
    const detectors = await mapLimit(Array.from({ length: ALARMS }), 25, async (_, j) => {
      const creds = await post<{ id: string; secret: string }>('/api/v1/devices', {
        type: 'smoke-detector',
        siteId: site.id,
        location: { building: 'A', floor: '1', zone: `Z${j}`, room: `${j}` },
      })
      pathOf.set(creds.id, 'mqtt')
      return SimDevice.connect(hub.mqttUrl, creds)
    })
    cleanup.defer('disconnect', () => Promise.all(detectors.map((d) => d.client.endAsync(true))))
    for (let i = 0; i < ALARMS; i++) {
      setTimeout(
        () => {
          sentAt.set(fireUitds[i]!.id, performance.now())
          void fireUitds[i]!.u.fire(1000 + i)
          sentAt.set(detectors[i]!.id, performance.now())
          void detectors[i]!.event('smoke', { obscuration: 5 })
        },
        (i * 1000) / RATE,
      )
    }
    const deadline = Date.now() + 120_000
    while (latency.uitd.count + latency.mqtt.count < 2 * ALARMS && Date.now() < deadline) await sleep(50)
    const uitd = latency.uitd.summary()
    const mqtt = latency.mqtt.summary()

    const row = (name: string, s: LatencySummary) =>
      `${name.padEnd(44)}${String(s.count).padStart(6)}${[s.p50, s.p90, s.p99, s.max].map((v) => v.toFixed(1).padStart(9)).join('')}`
    console.log(`\nUITD benchmark (${db.label})`)
    console.log(
      `throughput: ${UITDS * FRAMES} frames decoded, committed and confirmed in ${seconds.toFixed(1)} s = ${framesPerSecond.toFixed(0)} frames/s (${UITDS} UITDs, ${WINDOW} in flight each)`,
    )
    console.log(
      `${'alarm → centre receives "fire", ms'.padEnd(44)} count      p50      p90      p99      max`,
    )
    console.log(row('GB/T 26875.3 UITD fire frame (TCP)', uitd))
    console.log(row('MQTT smoke detector event', mqtt))
    const file = path.join(
      ROOT,
      'simulators',
      'results',
      `uitd-${new Date().toISOString().slice(0, 10)}.json`,
    )
    await writeFile(
      file,
      `${JSON.stringify({ uitds: UITDS, frames: FRAMES, window: WINDOW, framesPerSecond, alarms: ALARMS, rate: RATE, uitd, mqtt }, null, 2)}\n`,
    )
    progress(`report written to ${path.relative(process.cwd(), file)}`)
    return uitd.count === ALARMS && mqtt.count === ALARMS ? 0 : 1
  })
}

runCli('bench:uitd', () => main().finally(() => runAllCleanups()))
