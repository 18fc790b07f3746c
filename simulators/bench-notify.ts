import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { ROOT } from './bench/child.js'
import { runAllCleanups, scoped } from './bench/cleanup.js'
import { benchDatabase } from './bench/database.js'
import { parseNotifyOptions } from './bench/notify-options.js'
import { burstStages, COPY_PREFIX, queueCopies, type Stages, sampleBody } from './bench/notify-stages.js'
import { jsonReceiver } from './bench/receiver.js'
import { startHub } from './bench/targets.js'
import { SimDevice } from './device.js'
import { runCli } from './lib/cli.js'
import { Latency, type LatencySummary } from './lib/stats.js'
import { mapLimit, sleep, withTimeout } from './lib/util.js'

// `npm run bench:notify`: how fast notifications reach a family's webhook. The hub runs in its own process;
// call buttons publish SOS; a local receiver takes each signed POST. Paced and burst passes time publish →
// `alert.opened` on the live feed (the alarm path alone) beside publish → the webhook request (alarm path +
// escalation step + outbox + HTTP), and read from the database where the burst's time went. The outbox pass
// queues copies of real notifications at once and counts deliveries per second at the receiver, beside a bare
// HTTP client (a process of its own) posting the same body to the same receiver.

const progress = (line: string) => console.error(`· ${line}`)
/** the hub's bound on sends in flight to one receiver (src/notify/outbox.ts), given to the bare client too */
const PER_RECEIVER = 64
const PASS_TIMEOUT_MS = 120_000

/** Arrivals at the receiver, counted from the first to the last. */
class Arrivals {
  readonly latency = new Latency()
  count = 0
  first = 0
  last = 0

  arrived(now: number, latencyMs?: number) {
    if (latencyMs !== undefined) this.latency.record(latencyMs)
    this.count++
    this.first ||= now
    this.last = now
  }

  /** deliveries per second between the first arrival and the last */
  get rate() {
    return this.count > 1 ? ((this.count - 1) / (this.last - this.first)) * 1000 : Number.NaN
  }

  async until(n: number) {
    const deadline = performance.now() + PASS_TIMEOUT_MS
    while (this.count < n && performance.now() < deadline) await sleep(20)
    return this.count >= n
  }
}

interface AlarmPass {
  feed: Latency
  webhook: Arrivals
}

function runChild(script: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  const exited = new Promise<string>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}`)))),
  )
  return withTimeout(exited, PASS_TIMEOUT_MS, script).finally(() => child.kill())
}

async function main(argv: string[]): Promise<number> {
  const o = parseNotifyOptions(argv)
  return scoped(async (cleanup) => {
    const db = await benchDatabase(cleanup)
    const sentAt = new Map<string, number>()
    const receivedAt = new Map<string, number>()
    let alarm: AlarmPass | undefined
    let outbox: Arrivals | undefined
    let bare: Arrivals | undefined
    const hook = await jsonReceiver((raw) => {
      const body = raw as { baseline?: boolean; notificationId: string; device: { id: string } }
      const now = performance.now()
      if (body.baseline) return bare?.arrived(now)
      receivedAt.set(body.notificationId, Date.now())
      if (body.notificationId.startsWith(COPY_PREFIX)) return outbox?.arrived(now)
      const t0 = sentAt.get(body.device.id)
      if (alarm && t0 !== undefined) alarm.webhook.arrived(now, now - t0)
    })
    cleanup.defer('close the receiver', hook.close)
    const hub = await startHub(db.url, cleanup)
    cleanup.defer('stop the hub', () => hub.stop())
    hub.onArrival = (deviceId) => {
      const t0 = sentAt.get(deviceId)
      if (alarm && t0 !== undefined) alarm.feed.record(performance.now() - t0)
    }
    const sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    cleanup.defer('close the database client', () => sql.end())

    progress(`provisioning ${o.devices} call buttons whose SOS goes straight to a family webhook…`)
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
    const creds = await mapLimit(Array.from({ length: o.devices }), 50, () =>
      hub.api.expect<{ id: string; secret: string }>(201, 'POST', '/api/v1/devices', {
        type: 'call-button',
        siteId: site.id,
        residentId: resident.id,
      }),
    )
    const devices = await mapLimit(creds, 50, (c) => SimDevice.connect(hub.mqttUrl, c))
    cleanup.defer('disconnect the devices', () => Promise.all(devices.map((d) => d.client.endAsync(true))))

    const sos = async (label: string, gapMs: number) => {
      progress(`${label}: ${o.devices} SOS…`)
      const pass: AlarmPass = { feed: new Latency(), webhook: new Arrivals() }
      alarm = pass
      const since = new Date()
      devices.forEach((d, i) => {
        setTimeout(() => {
          sentAt.set(d.id, performance.now())
          void d.event('sos')
        }, i * gapMs)
      })
      const complete = await pass.webhook.until(o.devices)
      while (pass.feed.count < o.devices && complete) await sleep(20)
      return {
        complete,
        feed: pass.feed.summary(),
        webhook: pass.webhook.latency.summary(),
        deliveriesPerSecond: pass.webhook.rate,
        stages: await burstStages(sql, since, receivedAt),
      }
    }
    const resolveAll = async () => {
      for (;;) {
        const open = await hub.api.expect<{ items: { id: string }[] }>(
          200,
          'GET',
          '/api/v1/alerts?state=open&limit=1000',
        )
        if (open.items.length === 0) return
        await mapLimit(open.items, 20, (a) =>
          hub.api.expect(200, 'POST', `/api/v1/alerts/${a.id}/resolve`, { outcome: 'bench' }),
        )
      }
    }

    const report: Record<string, unknown> = { devices: o.devices, database: db.label }
    let paced: Awaited<ReturnType<typeof sos>> | undefined
    let burst: Awaited<ReturnType<typeof sos>> | undefined
    if (o.mode === 'all' || o.mode === 'paced') {
      paced = await sos(`paced ${o.rate}/s`, 1000 / o.rate)
      report.paced = { rate: o.rate, ...paced }
      await resolveAll()
    }
    if (o.mode !== 'paced') {
      burst = await sos('burst', 0)
      report.burst = burst
    }
    let outboxPass: { complete: boolean; hub: number; bare: number; bareFailed: number } | undefined
    if (o.mode === 'all' || o.mode === 'outbox') {
      progress(`baseline: a bare HTTP client posts ${o.notifications} bodies, ${PER_RECEIVER} in flight…`)
      bare = new Arrivals()
      const answer = await runChild('simulators/bench/bare-poster.ts', {
        POSTER_URL: hook.url,
        POSTER_COUNT: String(o.notifications),
        POSTER_CONCURRENCY: String(PER_RECEIVER),
        POSTER_BODY: JSON.stringify({ baseline: true, ...(await sampleBody(sql)) }),
      })
      const bareFailed = (JSON.parse(answer) as { failed: number }).failed
      progress(`outbox: ${o.notifications} notifications queued at once…`)
      outbox = new Arrivals()
      await queueCopies(sql, o.notifications)
      const complete = await outbox.until(o.notifications)
      outboxPass = { complete, hub: outbox.rate, bare: bare.rate, bareFailed }
      report.outbox = { notifications: o.notifications, perReceiver: PER_RECEIVER, ...outboxPass }
    }

    print(o.devices, db.label, paced, burst, outboxPass, o.notifications)
    const file =
      o.json ??
      path.join(ROOT, 'simulators', 'results', `notify-${new Date().toISOString().slice(0, 10)}.json`)
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
    progress(`report written to ${path.relative(process.cwd(), file)}`)
    const complete = [paced, burst, outboxPass].every((p) => !p || p.complete)
    if (!complete) console.log('NOT every notification arrived')
    return complete ? 0 : 1
  })
}

interface SosResult {
  feed: LatencySummary
  webhook: LatencySummary
  deliveriesPerSecond: number
  stages: Stages
}

function print(
  devices: number,
  database: string,
  paced: SosResult | undefined,
  burst: SosResult | undefined,
  outbox: { hub: number; bare: number; bareFailed: number } | undefined,
  notifications: number,
) {
  const row = (name: string, s: LatencySummary) =>
    `${name.padEnd(52)}${String(s.count).padStart(6)}${[s.p50, s.p90, s.p99, s.max].map((v) => v.toFixed(1).padStart(9)).join('')}`
  console.log(`\nnotification benchmark: ${devices} SOS, one family webhook each, ${database}`)
  console.log(`${'latency, ms'.padEnd(52)} count      p50      p90      p99      max`)
  if (paced) {
    console.log(row('paced: publish → alert.opened on the live feed', paced.feed))
    console.log(row('paced: publish → family webhook received', paced.webhook))
  }
  if (burst) {
    console.log(row('burst: publish → alert.opened on the live feed', burst.feed))
    console.log(row('burst: publish → family webhook received', burst.webhook))
    console.log(row('  alert opened → escalation step queued it', burst.stages.escalation))
    console.log(row('  queued → outbox claimed it', burst.stages.claim))
    console.log(row('  claimed → receiver has the request', burst.stages.request))
    console.log(row('  queued → delivery recorded (the outbox)', burst.stages.outbox))
    console.log(
      `burst deliveries per second (first to last arrival): ${burst.deliveriesPerSecond.toFixed(0)}`,
    )
  }
  if (outbox) {
    console.log(`\ndeliveries per second to one receiver, ${notifications} at once, first to last arrival:`)
    console.log(`  bare HTTP client, ${PER_RECEIVER} in flight (baseline)`.padEnd(52), outbox.bare.toFixed(0))
    console.log('  hub outbox (claim, sign, POST, record)'.padEnd(52), outbox.hub.toFixed(0))
    console.log('  hub / bare'.padEnd(52), `${(outbox.hub / outbox.bare).toFixed(2)}×`)
    if (outbox.bareFailed) console.log(`  (the bare client saw ${outbox.bareFailed} failures)`)
  }
}

runCli('bench:notify', () => main(process.argv.slice(2)).finally(() => runAllCleanups()))
