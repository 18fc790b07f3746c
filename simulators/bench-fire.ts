import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ROOT, ServerProcess } from './bench/child.js'
import { runAllCleanups, scoped } from './bench/cleanup.js'
import { benchDatabase } from './bench/database.js'
import { jsonReceiver } from './bench/receiver.js'
import { startHub } from './bench/targets.js'
import { SimDevice } from './device.js'
import { runCli } from './lib/cli.js'
import { Latency, type LatencySummary } from './lib/stats.js'
import { mapLimit, sleep, tempDir } from './lib/util.js'

// `npm run bench:fire`: smoke PUBLISH → the monitoring centre receiving the forwarded signal, over 1,000 alarms
// across 20 institutions, first on a quiet hub, then while 5,000 other devices flood it with telemetry (QoS 1).
// The hub and the flood each run in a process of their own; the centre is a local HTTP receiver here. Beside GB 26875 (10 s to the centre)
// and GB 50440 (3 s to forward a confirmed alarm).

const INSTITUTIONS = Number(process.env.BENCH_FIRE_INSTITUTIONS ?? 20)
const DETECTORS = Number(process.env.BENCH_FIRE_DETECTORS ?? 50)
const OTHERS = Number(process.env.BENCH_FIRE_OTHERS ?? 5000)
const TELEMETRY_EVERY_MS = Number(process.env.BENCH_FIRE_TELEMETRY_MS ?? 1000)
const RATE = Number(process.env.BENCH_FIRE_RATE ?? 50)
const progress = (line: string) => console.error(`· ${line}`)

async function main(): Promise<number> {
  return scoped(async (cleanup) => {
    const db = await benchDatabase(cleanup)
    const sentAt = new Map<string, number>()
    let latency: Latency | undefined
    const centre = await jsonReceiver((body) => {
      const s = body as { kind: string; device: { id: string } | null }
      const t0 = s.kind === 'fire' && s.device ? sentAt.get(s.device.id) : undefined
      if (latency && t0 !== undefined) latency.record(performance.now() - t0)
    })
    cleanup.defer('close the centre', centre.close)
    // long verification windows: the run measures the first signal, not the confirmations that follow
    const hub = await startHub(db.url, cleanup, {
      HUB_FIRE_ACK_WINDOW: '1h',
      HUB_FIRE_INVESTIGATE_WINDOW: '1h',
    })
    cleanup.defer('stop the hub', () => hub.stop())
    const post = <T>(p: string, body: unknown) => hub.api.expect<T>(201, 'POST', p, body)

    progress(
      `provisioning ${INSTITUTIONS} institutions × ${DETECTORS} detectors and ${OTHERS} other devices…`,
    )
    const detectorCreds: { id: string; secret: string }[] = []
    for (let i = 0; i < INSTITUTIONS; i++) {
      const site = await post<{ id: string }>('/api/v1/sites', {
        kind: 'institution',
        name: `Bench home ${i}`,
        address: `${i} Bench Road`,
      })
      await post(`/api/v1/sites/${site.id}/monitoring-centres`, { name: 'Bench centre', url: centre.url })
      // one zone per detector: two alarms in a zone would add a fire-confirmed signal to the measured traffic
      detectorCreds.push(
        ...(await mapLimit(Array.from({ length: DETECTORS }), 25, (_, j) =>
          post<{ id: string; secret: string }>('/api/v1/devices', {
            type: 'smoke-detector',
            siteId: site.id,
            location: { building: 'A', floor: '1', zone: `Z${j}`, room: `${j}` },
          }),
        )),
      )
    }
    const home = await post<{ id: string }>('/api/v1/sites', {
      kind: 'home',
      name: 'Telemetry homes',
      address: '1 Load Road',
    })
    const otherCreds = await mapLimit(Array.from({ length: OTHERS }), 50, () =>
      post<{ id: string; secret: string }>('/api/v1/devices', { type: 'call-button', siteId: home.id }),
    )
    const detectors = await mapLimit(detectorCreds, 50, (c) => SimDevice.connect(hub.mqttUrl, c))
    cleanup.defer('disconnect', () => Promise.all(detectors.map((d) => d.client.endAsync(true))))
    const dir = await tempDir('hub-bench-flood-')
    cleanup.defer('remove the flood files', () => rm(dir, { recursive: true, force: true }))
    await writeFile(path.join(dir, 'creds.json'), JSON.stringify(otherCreds))

    const run = async (label: string): Promise<LatencySummary> => {
      progress(`${label}: ${detectors.length} smoke alarms at ${RATE}/s…`)
      latency = new Latency()
      detectors.forEach((d, i) => {
        setTimeout(
          () => {
            sentAt.set(d.id, performance.now())
            void d.event('smoke', { obscuration: 5 })
          },
          (i * 1000) / RATE,
        )
      })
      const deadline = Date.now() + 120_000
      while (latency.count < detectors.length && Date.now() < deadline) await sleep(50)
      return latency.summary()
    }
    const resolveAll = async () => {
      for (;;) {
        const open = await hub.api.expect<{ items: { id: string }[] }>(
          200,
          'GET',
          '/api/v1/alerts?type=smoke&state=open&limit=1000',
        )
        const acked = await hub.api.expect<{ items: { id: string }[] }>(
          200,
          'GET',
          '/api/v1/alerts?type=smoke&state=acknowledged&limit=1000',
        )
        const all = [...open.items, ...acked.items]
        if (all.length === 0) return
        await mapLimit(all, 20, (a) =>
          hub.api.expect(200, 'POST', `/api/v1/alerts/${a.id}/resolve`, { outcome: 'bench' }),
        )
      }
    }

    const quiet = await run('quiet hub')
    await resolveAll()
    progress(`connecting ${OTHERS} telemetry devices in a process of their own…`)
    const flood = ServerProcess.spawn(
      'telemetry flood',
      'simulators/bench/flood-child.ts',
      {
        FLOOD_URL: hub.mqttUrl,
        FLOOD_CREDS: path.join(dir, 'creds.json'),
        FLOOD_EVERY_MS: String(TELEMETRY_EVERY_MS),
        FLOOD_STATS: path.join(dir, 'stats.json'),
      },
      cleanup,
    )
    await flood.waitReady(async () => flood.firstJsonLine<{ ready: boolean }>(), 120_000, 100)
    await sleep(3_000) // let the flood reach its pace
    const flooded = await run(`while ${OTHERS} devices send telemetry every ${TELEMETRY_EVERY_MS} ms`)
    await flood.stop()
    const telemetry = JSON.parse(await readFile(path.join(dir, 'stats.json'), 'utf8')) as {
      sent: number
      failed: number
      unacked: number
    }

    const row = (name: string, s: LatencySummary) =>
      `${name.padEnd(52)}${String(s.count).padStart(6)}${[s.p50, s.p90, s.p99, s.max].map((v) => v.toFixed(1).padStart(9)).join('')}`
    console.log(
      `\nfire benchmark: ${detectors.length} smoke alarms across ${INSTITUTIONS} institutions, ${db.label}`,
    )
    console.log(
      `${'smoke PUBLISH → centre receives "fire", ms'.padEnd(52)} count      p50      p90      p99      max`,
    )
    console.log(row('quiet hub', quiet))
    console.log(row(`${OTHERS} devices × 1 msg / ${TELEMETRY_EVERY_MS} ms telemetry`, flooded))
    console.log(
      `telemetry during the flood: ${telemetry.sent} sent, ${telemetry.failed} failed, ${telemetry.unacked} unacked`,
    )
    console.log(
      'reference: GB 26875 — at the centre within 10,000 ms; GB 50440 — a confirmed alarm forwarded within 3,000 ms',
    )
    const file = path.join(
      ROOT,
      'simulators',
      'results',
      `fire-${new Date().toISOString().slice(0, 10)}.json`,
    )
    const report = {
      institutions: INSTITUTIONS,
      detectors: detectors.length,
      others: OTHERS,
      rate: RATE,
      quiet,
      flooded,
      telemetry,
    }
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
    progress(`report written to ${path.relative(process.cwd(), file)}`)
    return quiet.count === detectors.length && flooded.count === detectors.length ? 0 : 1
  })
}

runCli('bench:fire', () => main().finally(() => runAllCleanups()))
