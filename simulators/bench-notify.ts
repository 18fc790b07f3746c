import { writeFile } from 'node:fs/promises'
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

// `npm run bench:notify`: how fast an alert reaches a family's webhook through escalation and the outbox. The
// hub runs in its own process; call buttons publish SOS; a local receiver takes each signed POST. Paced, it
// times publish → `alert.opened` on the live feed (the baseline: the alarm path alone) beside publish → the
// webhook request (alarm path + escalation step + outbox + HTTP). As a burst, it counts deliveries per second.

const DEVICES = Number(process.env.BENCH_NOTIFY_DEVICES ?? 1000)
const RATE = Number(process.env.BENCH_NOTIFY_RATE ?? 100)
const progress = (line: string) => console.error(`· ${line}`)

interface Pass {
  feed: Latency
  webhook: Latency
  firstDelivery: number
  lastDelivery: number
}

async function main(): Promise<number> {
  return scoped(async (cleanup) => {
    const db = await benchDatabase(cleanup)
    let pass: Pass | undefined
    const sentAt = new Map<string, number>()
    const hook = await jsonReceiver((body) => {
      const deviceId = (body as { device: { id: string } }).device.id
      const t0 = sentAt.get(deviceId)
      if (!pass || t0 === undefined) return
      const now = performance.now()
      pass.webhook.record(now - t0)
      pass.firstDelivery ||= now
      pass.lastDelivery = now
    })
    cleanup.defer('close the receiver', hook.close)
    const hub = await startHub(db.url, cleanup)
    cleanup.defer('stop the hub', () => hub.stop())
    hub.onArrival = (deviceId) => {
      const t0 = sentAt.get(deviceId)
      if (pass && t0 !== undefined) pass.feed.record(performance.now() - t0)
    }

    progress(`provisioning ${DEVICES} call buttons whose SOS goes straight to a family webhook…`)
    const site = await hub.api.expect<{ id: string }>(201, 'POST', '/api/v1/sites', {
      kind: 'home',
      name: 'Notify bench',
      address: '1 Bench Road',
    })
    await hub.api.expect(201, 'POST', '/api/v1/escalation-policies', {
      siteId: site.id,
      alertType: 'sos',
      name: 'family at once',
      steps: [{ name: 'family', targets: ['family'], waitSeconds: 3600 }],
    })
    const resident = await hub.api.expect<{ id: string }>(201, 'POST', '/api/v1/residents', {
      siteId: site.id,
      name: 'Bench resident',
      abilityLevel: 2,
      contacts: [{ name: 'Family app', relation: 'son', webhook: hook.url }],
    })
    const creds = await mapLimit(Array.from({ length: DEVICES }), 50, () =>
      hub.api.expect<{ id: string; secret: string }>(201, 'POST', '/api/v1/devices', {
        type: 'call-button',
        siteId: site.id,
        residentId: resident.id,
      }),
    )
    const devices = await mapLimit(creds, 50, (c) => SimDevice.connect(hub.mqttUrl, c))
    cleanup.defer('disconnect the devices', () => Promise.all(devices.map((d) => d.client.endAsync(true))))

    const run = async (label: string, gapMs: number) => {
      progress(`${label}: ${DEVICES} SOS…`)
      pass = { feed: new Latency(), webhook: new Latency(), firstDelivery: 0, lastDelivery: 0 }
      const started = performance.now()
      devices.forEach((d, i) => {
        setTimeout(() => {
          sentAt.set(d.id, performance.now())
          void d.event('sos')
        }, i * gapMs)
      })
      const deadline = Date.now() + 120_000
      while ((pass.webhook.count < DEVICES || pass.feed.count < DEVICES) && Date.now() < deadline)
        await sleep(50)
      const p = pass
      return {
        feed: p.feed.summary(),
        webhook: p.webhook.summary(),
        deliveriesPerSecond: (p.webhook.count / Math.max(1, p.lastDelivery - started)) * 1000,
      }
    }
    const resolveAll = async () => {
      const open = await hub.api.expect<{ items: { id: string }[] }>(
        200,
        'GET',
        '/api/v1/alerts?state=open&limit=1000',
      )
      await mapLimit(open.items, 20, (a) =>
        hub.api.expect(200, 'POST', `/api/v1/alerts/${a.id}/resolve`, { outcome: 'bench' }),
      )
    }

    const paced = await run(`paced ${RATE}/s`, 1000 / RATE)
    await resolveAll()
    const burst = await run('burst', 0)

    const row = (name: string, s: LatencySummary) =>
      `${name.padEnd(44)}${String(s.count).padStart(6)}${[s.p50, s.p90, s.p99, s.max].map((v) => v.toFixed(2).padStart(9)).join('')}`
    console.log(`\nnotification benchmark: ${DEVICES} SOS, one family webhook each, ${db.label}`)
    console.log(`${'latency from publish, ms'.padEnd(44)} count      p50      p90      p99      max`)
    console.log(row(`paced ${RATE}/s → alert.opened on the live feed`, paced.feed))
    console.log(row(`paced ${RATE}/s → family webhook received`, paced.webhook))
    console.log(row('burst → alert.opened on the live feed', burst.feed))
    console.log(row('burst → family webhook received', burst.webhook))
    console.log(
      `\noutbox deliveries per second (burst, to one local receiver): ${burst.deliveriesPerSecond.toFixed(0)}`,
    )
    const file = path.join(
      ROOT,
      'simulators',
      'results',
      `notify-${new Date().toISOString().slice(0, 10)}.json`,
    )
    await writeFile(
      file,
      `${JSON.stringify({ devices: DEVICES, rate: RATE, database: db.label, paced, burst }, null, 2)}\n`,
    )
    progress(`report written to ${path.relative(process.cwd(), file)}`)
    const complete = [paced, burst].every((p) => p.webhook.count === DEVICES && p.feed.count === DEVICES)
    if (!complete) console.log('NOT every alert arrived on both paths')
    return complete ? 0 : 1
  })
}

runCli('bench:notify', () => main().finally(() => runAllCleanups()))
