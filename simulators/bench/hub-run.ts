import { rm } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { pino } from 'pino'
import { loadConfig } from '../../src/config.js'
import { startHub } from '../../src/hub.js'
import { SimDevice } from '../device.js'
import { HubApi, provisionCallButtons, resolveAlerts } from './api.js'
import { scoped } from './cleanup.js'
import { stopLeftoverPostgres } from './leftover-postgres.js'
import { LiveFeedClient } from './live-feed.js'
import { eventKey, type Mode, type PassResult, PassRunner } from './pass.js'
import { mapLimit, tempDir } from './util.js'

// (a) The hub, in this process: provision call buttons over HTTP, connect them over MQTT, and time each SOS
// from publish to its `alert.opened` on the live feed, paced and then as a burst.

const ADMIN_PASSWORD = 'bench-admin-password'

export interface RunOptions {
  devices: number
  rate: number
  /** how long to wait for stragglers after the last publish of a pass */
  settleMs: number
  /** HTTP requests in flight while provisioning */
  httpConcurrency: number
  /** MQTT connects in flight */
  connectConcurrency: number
}

export interface HubResult {
  database: 'embedded (fresh temp DATA_DIR)' | 'DATABASE_URL'
  setupMs: { start: number; provision: number; connect: number; resolve: number }
  paced: PassResult
  burst?: PassResult
  feed: { received: number; seqGaps: number; closed?: { code: number; reason: string } }
  problems: string[]
}

export async function benchHub(o: RunOptions, log: (line: string) => void): Promise<HubResult> {
  return scoped(async (cleanup) => {
    const problems: string[] = []
    const external = process.env.DATABASE_URL
    const env: Record<string, string> = {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      MQTT_PORT: '0',
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'silent',
    }
    if (external) env.DATABASE_URL = external
    else {
      const dataDir = await tempDir('hub-bench-')
      cleanup.defer('remove the hub data dir', () => rm(dataDir, { recursive: true, force: true }))
      // runs after the hub's stop, even one that timed out: the database must not outlive this process
      cleanup.defer('stop a leftover embedded PostgreSQL', () => stopLeftoverPostgres(dataDir))
      env.DATA_DIR = dataDir
    }

    let t = performance.now()
    const hub = await startHub(loadConfig(env), pino({ level: 'silent' }))
    cleanup.defer('stop the hub', () => hub.stop())
    const start = performance.now() - t
    log(`hub started in ${start.toFixed(0)} ms (http ${hub.httpPort}, mqtt ${hub.mqttPort})`)

    const api = new HubApi(`http://127.0.0.1:${hub.httpPort}`)
    cleanup.defer('abort HTTP requests in flight', () => api.abort())
    await api.login('admin', ADMIN_PASSWORD)
    t = performance.now()
    const creds = await provisionCallButtons(api, {
      devices: o.devices,
      perSite: 250,
      concurrency: o.httpConcurrency,
    })
    const provision = performance.now() - t
    log(`provisioned ${creds.length} call buttons over HTTP in ${provision.toFixed(0)} ms`)

    const devices: SimDevice[] = []
    const runner = new PassRunner('hub', devices, o.settleMs, log)
    cleanup.defer('disconnect the devices', () => Promise.all(devices.map((d) => d.close())))
    t = performance.now()
    await mapLimit(creds, o.connectConcurrency, async (c) => {
      devices.push(await SimDevice.connect(`mqtt://127.0.0.1:${hub.mqttPort}`, c))
    })
    const connect = performance.now() - t
    log(`connected ${devices.length} devices in ${connect.toFixed(0)} ms`)

    const feed = await LiveFeedClient.open(hub.httpPort, api.bearer)
    cleanup.defer('close the live feed', () => feed.close())
    const opened = new Map<string, string>() // alert id → device id, alerts this run opened
    const resolved = new Set<string>()
    feed.onMessage = (m) => {
      if (m.kind === 'alert.opened' && m.data.deviceId) {
        opened.set(m.data.id, m.data.deviceId)
        runner.current?.arrived(eventKey(m.data.deviceId, m.data.event?.id ?? ''))
      } else if (m.kind === 'alert.updated' && m.data.state === 'resolved') resolved.add(m.data.id)
    }

    const run = (mode: Mode, eventId: string) => runner.run(mode, eventId)

    const paced = await run({ kind: 'paced', rate: o.rate }, 'bench-paced')
    // Each device's SOS alert is open now and a second SOS would fold into it: resolve them all, so the
    // burst opens fresh alerts, and wait until the feed has shown every resolution.
    t = performance.now()
    const toResolve = [...opened.keys()]
    await resolveAlerts(api, toResolve, o.httpConcurrency)
    const allResolved = await feed.until(() => toResolve.every((id) => resolved.has(id)), o.settleMs)
    const resolve = performance.now() - t
    if (!allResolved) problems.push('the live feed did not show every resolution before the burst')
    log(`resolved ${toResolve.length} alerts in ${resolve.toFixed(0)} ms`)
    const burst = feed.closed ? undefined : await run({ kind: 'burst' }, 'bench-burst')

    if (feed.closed) problems.push(`the live feed closed: ${feed.closed.code} ${feed.closed.reason}`)
    if (feed.seqGaps) problems.push(`the live feed skipped seq numbers ${feed.seqGaps} times`)
    return {
      database: external ? 'DATABASE_URL' : 'embedded (fresh temp DATA_DIR)',
      setupMs: { start, provision, connect, resolve },
      paced,
      burst,
      feed: { received: feed.received, seqGaps: feed.seqGaps, closed: feed.closed },
      problems,
    }
  })
}
