import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { ROOT } from './bench/child.js'
import { runAllCleanups, scoped } from './bench/cleanup.js'
import { benchDatabase } from './bench/database.js'
import { ADMIN_PASSWORD, startHub } from './bench/targets.js'
import { SimDevice } from './device.js'
import { runCli } from './lib/cli.js'
import { Latency } from './lib/stats.js'
import { mapLimit } from './lib/util.js'

// `npm run bench:console`: how long the operator console (real headless Chromium from Debian) takes to show a
// new alert while 1,000 alerts are open: from the device's PUBLISH to the queue counting the new one. Also the
// time from opening the console to a queue of 1,000. The hub runs in a process of its own.

const OPEN = Number(process.env.BENCH_CONSOLE_OPEN ?? 1000)
const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS ?? 20)
const progress = (line: string) => console.error(`· ${line}`)

async function main(): Promise<number> {
  return scoped(async (cleanup) => {
    const db = await benchDatabase(cleanup)
    const hub = await startHub(db.url, cleanup)
    cleanup.defer('stop the hub', () => hub.stop())
    const post = <T>(p: string, body: unknown) => hub.api.expect<T>(201, 'POST', p, body)
    progress(`provisioning ${OPEN + ROUNDS} call buttons and opening ${OPEN} alerts…`)
    const site = await post<{ id: string }>('/api/v1/sites', {
      kind: 'home',
      name: 'Bench',
      address: '1 Bench Road',
    })
    const creds = await mapLimit(Array.from({ length: OPEN + ROUNDS }), 50, () =>
      post<{ id: string; secret: string }>('/api/v1/devices', { type: 'call-button', siteId: site.id }),
    )
    const devices = await mapLimit(creds, 50, (c) => SimDevice.connect(hub.mqttUrl, c))
    cleanup.defer('disconnect', () => Promise.all(devices.map((d) => d.client.endAsync(true))))
    await mapLimit(devices.slice(0, OPEN), 50, (d) => d.event('sos'))

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    cleanup.defer('close the browser', () => browser.close())
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const waitingCount = (n: number) =>
      page.waitForFunction(
        // at least: an alert the hub raises about itself meanwhile must not stall the run
        (want) =>
          Number(document.querySelector('[data-testid=queue] section h2 .badge')?.textContent) >= want,
        n,
        { polling: 'raf', timeout: 60_000 },
      )
    const t0 = performance.now()
    await page.goto(`${hub.api.base}/`)
    await page.locator('input[name=username]').fill('admin')
    await page.locator('input[name=password]').fill(ADMIN_PASSWORD)
    await page.locator('form button[type=submit]').click()
    await waitingCount(OPEN)
    const firstQueueMs = performance.now() - t0
    progress(`queue of ${OPEN} shown ${firstQueueMs.toFixed(0)} ms after opening the console`)

    const latency = new Latency()
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now()
      await devices[OPEN + i]!.event('sos')
      await waitingCount(OPEN + i + 1)
      latency.record(performance.now() - start)
    }
    const summary = latency.summary()
    const row = `p50 ${summary.p50.toFixed(0)} ms · p90 ${summary.p90.toFixed(0)} ms · max ${summary.max.toFixed(0)} ms`
    console.log(
      `console, ${OPEN} open alerts: a new SOS shows in the queue in ${row} (${summary.count} rounds)`,
    )
    console.log(`console: login to a queue of ${OPEN} alerts in ${firstQueueMs.toFixed(0)} ms`)
    const file = path.join(
      ROOT,
      'simulators',
      'results',
      `console-${new Date().toISOString().slice(0, 10)}.json`,
    )
    await writeFile(
      file,
      `${JSON.stringify({ open: OPEN, rounds: ROUNDS, firstQueueMs, newAlert: summary }, null, 2)}\n`,
    )
    progress(`report written to ${path.relative(process.cwd(), file)}`)
    return summary.count === ROUNDS ? 0 : 1
  })
}

runCli('bench:console', () => main().finally(() => runAllCleanups()))
