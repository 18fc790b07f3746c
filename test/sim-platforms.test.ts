// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { simOptionsSchema } from '../simulators/sim/options.js'
import { runSimulation } from '../simulators/sim/run.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'
import { ROOT } from './fixtures/process.js'

// The platform scenarios (a GB/T 26875.3 UITD over TCP, a device pushed through OneNET) run through `npm run
// sim`'s own code against a real hub with UITD_PORT and ONENET_PUSH_TOKEN, and open the alerts they expect.

const SCENARIOS = path.join(ROOT, 'simulators', 'scenarios', 'platforms')
const TOKEN = 'onenet-push-token-sim'

t.test('platform scenarios', async (t) => {
  const hub = await startTestHub(t, { UITD_PORT: '0', ONENET_PUSH_TOKEN: TOKEN })
  const run = (file: string, extra: Record<string, unknown> = {}) =>
    runSimulation(
      simOptionsSchema.parse({
        api: hub.base,
        mqtt: hub.mqttUrl,
        password: ADMIN_PASSWORD,
        scenario: path.join(SCENARIOS, file),
        uitd: `127.0.0.1:${hub.hub.uitdPort}`,
        onenetToken: TOKEN,
        timeScale: 0.5,
        settle: '30s',
        progress: false,
        ...extra,
      }),
    )
  const alertsOf = async (deviceId: string) =>
    (await hub.api('GET', `/api/v1/alerts?deviceId=${deviceId}`, undefined, hub.token)).body.items as any[]

  await t.test('a UITD fire frame sent while its link is down opens one fire alert', async (t) => {
    const saved = path.join(t.testdir(), 'fleet.json')
    const report = await run('uitd-fire.yaml', { saveFleet: saved })
    for (const e of report.expectations) t.ok(e.ok, e.expectation, { problems: e.problems })
    t.same(report.errors, {}, 'no errors')
    t.equal(report.fleet.byType.uitd, 1, 'one UITD in the fleet')
    t.ok(report.ok)
    const fleet = JSON.parse(await readFile(saved, 'utf8'))
    const [alert] = await alertsOf(fleet.devices[0].id)
    t.match(alert, { type: 'fire', priority: 1, state: 'open', count: 1 }, 'the alert is in the hub')
  })

  await t.test('a signed OneNET push of an SOS opens the alert', async (t) => {
    const report = await run('onenet-sos.yaml')
    for (const e of report.expectations) t.ok(e.ok, e.expectation, { problems: e.problems })
    t.same(report.errors, {}, 'no errors')
    t.equal(report.alerts.seen, 1, 'the SOS came back on the live feed')
    t.ok(report.ok)
  })

  await t.test('a UITD fleet without --uitd is a setup error', async (t) => {
    await t.rejects(run('uitd-fire.yaml', { uitd: undefined }), { message: /pass --uitd host:port/ })
  })

  await t.test('a wrong push token is an error, and the expected alert is missing', async (t) => {
    const report = await run('onenet-sos.yaml', { onenetToken: 'not-the-token', settle: '2s' })
    t.notOk(report.ok)
    t.ok(Object.keys(report.errors).length > 0, 'the refused push is reported')
  })
})
