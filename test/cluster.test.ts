// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import pg from 'pg'
import t from 'tap'
import { SimDevice } from '../simulators/device.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'
import { testMosquitto } from './fixtures/mosquitto.js'
import { startHubProcess } from './fixtures/process.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// Two hub instances on one database behind one Mosquitto 2, sharing the device topics: hub A in this process
// (it owns the embedded PostgreSQL), hub B a child process that is SIGKILLed halfway and restarted with the
// same instance id. Every device sends ten distinct SOS back to back, so one device's events reach both
// instances at once: 1,000 devices, 10,000 events, as the issue asks (CLUSTER_TEST_DEVICES scales it for a quick run).

const DEVICES = Number(process.env.CLUSTER_TEST_DEVICES ?? 1000)
const PRESSES = 10
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, ms: number, done: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(200)
  }
}

t.test(
  'two instances, one killed halfway: every SOS counted once, one notification each, one gap-free feed',
  async (t) => {
    const mosquitto = await testMosquitto(t)
    const hook = await startWebhookReceiver(t)
    const a = await startTestHub(t, {
      MQTT_URL: mosquitto.url,
      HUB_INSTANCE_ID: 'hub-a',
      HUB_MQTT_SESSIONS: '4',
    })
    const db = new pg.Pool({ connectionString: a.hub.databaseUrl, max: 2 })
    t.teardown(() => db.end())
    const count = async (sql: string) => Number((await db.query(sql)).rows[0].n)

    // one step, to the staff on duty: one webhook per alert
    const policy = (
      await a.api('GET', '/api/v1/escalation-policies?alertClass=life-safety', undefined, a.token)
    ).body.items[0]
    const step = { name: 'alert', targets: ['duty-staff'], waitSeconds: 3600 }
    t.equal(
      (await a.api('PATCH', `/api/v1/escalation-policies/${policy.id}`, { steps: [step] }, a.token)).status,
      200,
    )
    const site = await a.create('/api/v1/sites', {
      kind: 'institution',
      name: 'Cluster home',
      address: '1 Share Road',
    })
    const nurse = await a.create('/api/v1/users', {
      username: 'nurse',
      password: 'nurse-password',
      role: 'staff',
      siteIds: [site.id],
      webhook: hook.url,
    })
    await a.create(`/api/v1/sites/${site.id}/shifts`, {
      userId: nurse.id,
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 3_600_000).toISOString(),
    })
    const rows = Array.from({ length: DEVICES }, (_, i) => ({ type: 'call-button', room: `r${i}` }))
    const imported = await a.api('POST', `/api/v1/sites/${site.id}/devices/import`, rows, a.token)
    t.equal(imported.body.accepted.length, DEVICES)

    const bEnv = {
      DATABASE_URL: a.hub.databaseUrl,
      DATA_DIR: await tempDataDir(t),
      MQTT_URL: mosquitto.url,
      HUB_INSTANCE_ID: 'hub-b',
      HUB_MQTT_SESSIONS: '4',
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    }
    let b = await startHubProcess(t, bEnv)
    const feed = await a.live('&since=0')

    const devices = await Promise.all(
      imported.body.accepted.map(async (d: any) => {
        const dev = await SimDevice.connect(mosquitto.url, d, { reconnectPeriod: 0 })
        t.teardown(() => dev.client.endAsync(true))
        return dev
      }),
    )
    const alertMessages = () => feed.messages.filter((m) => m.kind.startsWith('alert.')).length
    const sending = Promise.all(
      devices.map((d) => Promise.all(Array.from({ length: PRESSES }, () => d.event('sos')))),
    )

    // halfway through what the feed shows, B dies with whatever it had not committed or acknowledged
    await until('a quarter of the alert changes', 60_000, () => alertMessages() >= (DEVICES * PRESSES) / 4)
    const bIngested = String((await b.api('GET', '/metrics')).body)
    b.proc.child.kill('SIGKILL')
    await b.proc.exited
    await sending
    b = await startHubProcess(t, bEnv)

    await until(
      'every press counted',
      60_000,
      async () =>
        (await count("SELECT count(*) n FROM alerts WHERE type = 'sos' AND count = 10")) === DEVICES,
    )
    t.equal(await count("SELECT count(*) n FROM alerts WHERE type = 'sos'"), DEVICES, 'one alert per device')
    t.equal(
      await count("SELECT count(*) n FROM alerts WHERE type = 'sos' AND count <> 10"),
      0,
      'each with count 10',
    )
    t.equal(await count('SELECT count(*) n FROM events'), DEVICES * PRESSES, 'every event stored once')
    t.match(
      bIngested,
      /hub_ingest_messages_total\{channel="events"\} [1-9]/,
      'hub B ingested some before it died',
    )

    await until(
      'one notification per alert delivered',
      60_000,
      () => new Set(hook.requests.map((r) => r.headers['webhook-id'])).size >= DEVICES,
    )
    const routes = await db.query(
      'SELECT target, channel, count(*)::int n, count(DISTINCT alert_id)::int alerts FROM notifications GROUP BY 1, 2 ORDER BY 1, 2',
    )
    t.comment(JSON.stringify(routes.rows))
    t.same(
      routes.rows.filter((r) => r.channel === 'webhook'),
      [{ target: 'duty-staff', channel: 'webhook', n: DEVICES, alerts: DEVICES }],
      'one webhook notification per alert to the nurse on duty',
    )
    t.ok(
      routes.rows.every((r) => r.n === r.alerts),
      'never two of one channel for one alert',
    )
    t.equal(
      new Set(hook.requests.map((r) => r.headers['webhook-id'])).size,
      DEVICES,
      'one webhook id per alert',
    )

    // the operator on A saw every change, whichever instance committed it, gap-free and in order
    await until('the feed has every alert change', 30_000, () => alertMessages() >= DEVICES * PRESSES)
    const seqs = feed.messages.map((m) => m.seq)
    t.same(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
      'seqs are gap-free',
    )
    t.equal(
      new Set(feed.messages.filter((m) => m.kind === 'alert.opened').map((m) => m.data.deviceId)).size,
      DEVICES,
    )
    t.equal(feed.closeCode, undefined, 'the feed stayed open')
  },
)
