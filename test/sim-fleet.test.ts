import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { simOptionsSchema } from '../simulators/sim/options.js'
import { runSimulation } from '../simulators/sim/run.js'
import { dbClient } from './fixtures/db.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'

// A small fleet (20 homes, 2 institutions) driven against a real hub: the report's counts are checked
// against what the hub stored and showed, and a saved fleet is reused by a second run.

t.test('a small fleet against a test hub', async (t) => {
  const h = await startTestHub(t)
  const db = await dbClient(t, h.hub.databaseUrl)
  const dir = await mkdtemp(path.join(tmpdir(), 'sim-fleet-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const fleetFile = path.join(dir, 'fleet.json')
  // one SOS on top of the random traffic: the second run repeats it while its alert is still open
  const scenario = path.join(dir, 'sos.yaml')
  await writeFile(
    scenario,
    'name: one SOS\nsteps: [{ at: 1s, do: event, devices: { home: 1, type: call-button }, event: sos }]\n',
  )
  const options = (extra: Record<string, unknown>) =>
    simOptionsSchema.parse({
      api: h.base,
      mqtt: h.mqttUrl,
      password: ADMIN_PASSWORD,
      telemetryInterval: '1s',
      duration: '3s',
      eventRate: 300,
      seed: 7,
      settle: '20s',
      progress: false,
      ...extra,
    })

  const report = await runSimulation(options({ homes: 20, institutions: 2, saveFleet: fleetFile, scenario }))
  // 20 homes × 3 devices; per institution 10 residents × 2 devices and 3 floors × 2 zones × 2 detectors
  t.equal(report.fleet.devices, 124)
  t.same(report.fleet.byType, { 'call-button': 40, 'fall-sensor': 40, 'smoke-detector': 44 })
  t.equal(report.fleet.connected, 124, 'every device connected')

  const m = report.messages
  t.ok(m.telemetry!.sent >= 124, 'every device reported at least once')
  t.equal(m.telemetry!.acked, m.telemetry!.sent, 'every reading acknowledged')
  t.equal(m.status!.acked, 124, 'each device announced itself online')
  t.ok(m.events!.sent > 0, 'random events were sent')
  t.equal(m.events!.acked, m.events!.sent)

  const fleet = JSON.parse(await readFile(fleetFile, 'utf8'))
  const ids = fleet.devices.map((d: { id: string }) => d.id)
  const stored = await db.query('SELECT count(*)::int AS n FROM readings WHERE device_id = ANY($1)', [ids])
  t.equal(stored.rows[0].n, m.telemetry!.acked, 'the database holds every acknowledged reading')

  t.ok(report.alerts.expected > 0, 'some events opened alerts')
  t.equal(report.alerts.seen, report.alerts.expected, 'every alert expected was seen on the live feed')
  t.equal(report.latency.publishToAlertOpened.count, report.alerts.seen, 'each one timed')
  const opened = await db.query(
    "SELECT count(*)::int AS n FROM alerts WHERE device_id = ANY($1) AND state <> 'resolved'",
    [ids],
  )
  t.equal(opened.rows[0].n, report.alerts.expected, 'and each is an alert in the database')
  t.same(report.errors, {}, 'no errors')
  t.ok(report.ok)

  const device = await h.api('GET', `/api/v1/devices/${ids[0]}`, undefined, h.token)
  t.equal(device.body.online, false, 'a simulator that stops leaves its devices offline')

  // the saved fleet again: nothing new provisioned; alarms on alerts still open fold into them
  const before = await db.query('SELECT count(*)::int AS n FROM devices')
  const again = await runSimulation(options({ fleet: fleetFile, seed: 8, scenario }))
  t.equal((await db.query('SELECT count(*)::int AS n FROM devices')).rows[0].n, before.rows[0].n)
  t.equal(again.fleet.devices, 124)
  t.ok(again.alerts.repeatsExpected >= 1, 'the repeated SOS is expected to fold into its open alert')
  t.equal(again.alerts.seen, again.alerts.expected)
  t.ok(again.ok)
})
