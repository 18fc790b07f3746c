// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { pino } from 'pino'
import t from 'tap'
import { startEmbedded } from '../src/store/embedded.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { WEBHOOK_SECRET } from './fixtures/escalation.js'
import { ADMIN_PASSWORD } from './fixtures/hub.js'
import { connectTolerant, type RunningHub, startHubProcess } from './fixtures/process.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// Durable timers and the outbox across real hub processes: a SIGKILL before a step's deadline loses nothing
// and sends nothing twice; two hubs on one database deliver every notification exactly once.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const env = {
  HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
  HUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
  HUB_SECRET_KEY: 's'.repeat(40),
}

async function admin(h: RunningHub) {
  const res = await h.api('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`)
  const token = res.body.token as string
  const create = async (path: string, body: unknown) => {
    const r = await h.api('POST', path, body, token)
    if (r.status !== 201) throw new Error(`POST ${path} → ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  return { token, create }
}

/** A home whose SOS alerts notify the call centre at once and the family `familyAfter` seconds later. */
async function familyScene(h: RunningHub, hookUrl: string, familyAfter: number, devices: number) {
  const { token, create } = await admin(h)
  const site = await create('/api/v1/sites', { kind: 'home', name: 'Crash home', address: '3 Test Road' })
  await create('/api/v1/escalation-policies', {
    siteId: site.id,
    alertType: 'sos',
    name: 'family later',
    steps: [
      { name: 'call-centre', targets: ['call-centre'], waitSeconds: familyAfter },
      { name: 'family', targets: ['family'], waitSeconds: 3600 },
    ],
  })
  const resident = await create('/api/v1/residents', {
    siteId: site.id,
    name: 'Zhang Wei',
    abilityLevel: 2,
    contacts: [{ name: 'Daughter', relation: 'daughter', webhook: hookUrl }],
  })
  const made: { id: string; secret: string }[] = []
  for (let i = 0; i < devices; i += 25) {
    const batch = Array.from({ length: Math.min(25, devices - i) }, () =>
      create('/api/v1/devices', { type: 'call-button', siteId: site.id, residentId: resident.id }),
    )
    made.push(...(await Promise.all(batch)))
  }
  return { token, devices: made }
}

async function press(
  t: { teardown(fn: () => unknown): void },
  url: string,
  creds: { id: string; secret: string },
) {
  await (await connectTolerant(t, url, creds)).event('sos')
}

t.test('a hub killed (SIGKILL) before a step is due runs it once after restart', async (t) => {
  const hook = await startWebhookReceiver(t, { secret: WEBHOOK_SECRET })
  const dataDir = await tempDataDir(t)
  const first = await startHubProcess(t, { ...env, DATA_DIR: dataDir })
  const { token, devices } = await familyScene(first, hook.url, 3, 1)
  await press(t, first.mqttUrl, devices[0]!)
  const alerts = await first.api('GET', `/api/v1/alerts?deviceId=${devices[0]!.id}`, undefined, token)
  const alert = alerts.body.items[0]
  t.ok(alert, 'the alert is open (committed before the PUBACK)')
  const killed = await first.proc.stop('SIGKILL', 10_000)
  t.match(killed, { signal: 'SIGKILL' })
  t.equal(hook.requests.length, 0, 'the family step was not due yet')
  await sleep(3_500) // the family step falls due while no hub runs

  const second = await startHubProcess(t, { ...env, DATA_DIR: dataDir })
  const [request] = await hook.waitFor(1, 20_000)
  t.equal(request!.verified, true)
  t.equal((request!.body as any).alertId, alert.id)
  await sleep(2_000)
  t.equal(hook.requests.length, 1, 'delivered exactly once')
  const after = await second.api('GET', `/api/v1/alerts/${alert.id}`, undefined, token)
  const steps = after.body.history.filter((h: any) => h.kind === 'escalated').map((h: any) => h.data.step)
  t.same(steps, ['call-centre', 'family'], 'each step ran once, in order')
  const family = after.body.history.find((h: any) => h.data.step === 'family')
  t.ok(new Date(family.at).getTime() >= new Date(alert.openedAt).getTime() + 3_000, 'and not early')
})

t.test('two hub processes on one database deliver each of 500 notifications exactly once', async (t) => {
  const hook = await startWebhookReceiver(t)
  const dataDir = await tempDataDir(t)
  const db = await startEmbedded(dataDir, pino({ level: 'silent' }))
  t.teardown(() => db.stop())
  const hubEnv = { ...env, DATABASE_URL: db.url }
  const [a, b] = await Promise.all([startHubProcess(t, hubEnv), startHubProcess(t, hubEnv)])
  const { token, devices } = await familyScene(a!, hook.url, 2, 500)
  // half the devices on each hub's broker: both hubs open alerts, both schedulers race for the due steps
  const pressing = devices.map((d, i) => press(t, (i % 2 ? a : b)!.mqttUrl, d))
  for (let i = 0; i < pressing.length; i += 50) await Promise.all(pressing.slice(i, i + 50))

  await hook.waitFor(500, 90_000)
  await sleep(3_000)
  const ids = hook.requests.map((r) => r.headers['webhook-id'])
  t.equal(ids.length, 500, 'no notification sent twice')
  t.equal(new Set(ids).size, 500, '500 distinct notifications')
  const alertIds = new Set(hook.requests.map((r) => (r.body as any).alertId))
  t.equal(alertIds.size, 500, 'one per alert')
  const open = await b!.api('GET', '/api/v1/alerts?type=sos&limit=1000', undefined, token)
  const stepsRun = open.body.items.flatMap((al: any) => al.history.filter((h: any) => h.kind === 'escalated'))
  t.equal(stepsRun.length, 1000, 'each alert ran each of its two steps exactly once')
  const counted = await Promise.all([a!, b!].map((h) => stepsCounted(h)))
  t.equal(counted[0]! + counted[1]!, 1000, 'the two hubs together ran 1000 steps')
  t.ok(
    counted.every((n) => n > 0),
    `both hubs ran steps (${counted.join(' + ')}): they really raced for them`,
  )
})

/** hub_escalation_steps_total of one hub process. */
async function stepsCounted(h: RunningHub): Promise<number> {
  const text = await (await fetch(`${h.base}/metrics`)).text()
  return Number(text.match(/^hub_escalation_steps_total (\d+)/m)?.[1] ?? 0)
}
