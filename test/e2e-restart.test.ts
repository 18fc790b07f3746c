import t from 'tap'
import type { LiveMessage } from '../src/contract/live.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { ADMIN_PASSWORD } from './fixtures/hub.js'
import {
  alive,
  connectTolerant,
  processesUsing,
  type RunningHub,
  startHubProcess,
} from './fixtures/process.js'

// The hub as a real process, stopped cleanly (SIGTERM) or killed (SIGKILL), then started again on the same
// DATA_DIR: what was committed is still there, devices and users still get in, the live feed resumes.

async function login(h: RunningHub, password = ADMIN_PASSWORD) {
  const res = await h.api('POST', '/api/v1/auth/login', { username: 'admin', password })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.token as string
}

async function provision(h: RunningHub, token: string) {
  const create = async (path: string, body: unknown) => {
    const res = await h.api('POST', path, body, token)
    if (res.status !== 201) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  const site = await create('/api/v1/sites', { kind: 'home', name: 'Restart home', address: '2 Test Road' })
  const resident = await create('/api/v1/residents', { siteId: site.id, name: 'Resident', abilityLevel: 3 })
  const device = await create('/api/v1/devices', {
    type: 'call-button',
    siteId: site.id,
    residentId: resident.id,
  })
  return { site, resident, device: device as { id: string; secret: string } }
}

const connect = connectTolerant

const hubEnv = (dataDir: string) => ({ DATA_DIR: dataDir, HUB_ADMIN_PASSWORD: ADMIN_PASSWORD })

const seqs = (messages: LiveMessage[]) => messages.map((m) => m.seq)
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

t.test('a clean restart keeps alerts, devices, users and the live feed', async (t) => {
  const dataDir = await tempDataDir(t)

  // --- first run
  const first = await startHubProcess(t, hubEnv(dataDir))
  const token = await login(first)
  const { device, resident } = await provision(first, token)
  const feed = await first.live(token)
  const button = await connect(t, first.mqttUrl, device)
  await button.event('sos', { button: 'pendant' })
  const opened = await feed.waitFor((m) => m.kind === 'alert.opened')
  t.equal(opened.data.deviceId, device.id)
  t.equal(opened.data.residentId, resident.id)
  t.equal(opened.data.state, 'open')
  const alertId = opened.data.id
  await button.close()
  const before = [...feed.messages]

  const stopped = await first.proc.stop('SIGTERM', 20_000)
  t.same(stopped, { code: 0, signal: null }, 'SIGTERM: the hub exits with code 0 within 20 s')
  t.same(processesUsing(dataDir), [], 'the hub stopped its embedded PostgreSQL on the way out')

  // --- second run, same DATA_DIR
  const second = await startHubProcess(t, hubEnv(dataDir))
  const wrong = await second.api('POST', '/api/v1/auth/login', {
    username: 'admin',
    password: 'not-it-at-all',
  })
  t.equal(wrong.status, 401, 'a wrong password is still refused')
  const token2 = await login(second)
  t.ok(token2, 'the admin can still log in')
  const me = await second.api('GET', '/api/v1/auth/me', undefined, token)
  t.equal(me.status, 200, 'a token issued before the restart is still valid (the secret key is kept)')

  const open = await second.api('GET', '/api/v1/alerts?state=open', undefined, token2)
  t.equal(open.status, 200)
  t.same(
    open.body.items.map((a: { id: string; state: string }) => [a.id, a.state]),
    [[alertId, 'open']],
    'the alert is still open after the restart',
  )

  const replay = await second.live(token2, '&since=0')
  const lastBefore = before.at(-1)!.seq
  await replay.waitFor((m) => m.seq === lastBefore)
  t.same(
    replay.messages
      .filter((m) => m.seq >= before[0]!.seq && m.seq <= lastBefore)
      .map((m) => [m.seq, m.kind, m.data.id]),
    before.map((m) => [m.seq, m.kind, m.data.id]),
    'since=0 replays the stored messages in order',
  )

  const again = await connect(t, second.mqttUrl, device)
  t.ok(again.client.connected, 'the device reconnects with its secret')
  // a new SimDevice counts ids from e-1 again: give this press a fresh id, or it is a retransmission
  await again.event('sos', { button: 'wall' }, 'e-after-restart')
  const repeated = await replay.waitFor((m) => m.kind === 'alert.updated' && m.data.count === 2)
  t.equal(repeated.data.id, alertId, 'a press after the restart folds into the alert still open')

  const ack = await second.api('POST', `/api/v1/alerts/${alertId}/ack`, {}, token2)
  t.equal(ack.status, 200)
  const acked = await replay.waitFor((m) => m.kind === 'alert.updated' && m.data.state === 'acknowledged')
  t.equal(acked.data.id, alertId)
  t.equal(acked.seq, repeated.seq + 1, 'the ack is the next message after the repeat')
  t.same(seqs(replay.messages), oneToN(replay.messages.length), 'replay then live: seq 1, 2, 3… gap-free')
  t.equal(replay.messages.at(-1)!.seq, acked.seq, 'nothing after the ack')

  await again.close()
  t.same(await second.proc.stop('SIGTERM', 20_000), { code: 0, signal: null })
  t.same(processesUsing(dataDir), [], 'no PostgreSQL from this DATA_DIR is left running')
})

t.test('a hub killed right after a PUBACK loses nothing it acknowledged', async (t) => {
  const dataDir = await tempDataDir(t)

  // --- first run, killed
  const first = await startHubProcess(t, hubEnv(dataDir))
  const token = await login(first)
  const { device } = await provision(first, token)
  const button = await connect(t, first.mqttUrl, device)
  const readingTs = Date.now()
  // QoS 1 telemetry: its PUBACK waits for its batch's commit
  await button.publish('telemetry', JSON.stringify({ ts: readingTs, battery: 61, rssi: -67 }), 1)
  const eventId = await button.event('sos', { button: 'pull-cord' })
  // publishAsync resolved: the PUBACK arrived; kill at once
  const killed = await first.proc.stop('SIGKILL', 10_000)
  t.same(killed, { code: null, signal: 'SIGKILL' })
  const orphans = processesUsing(dataDir)
  t.ok(orphans.length > 0, 'the killed hub left its embedded PostgreSQL running (the case under test)')

  // --- second run: detects and stops the orphan, then starts on the same data
  const second = await startHubProcess(t, hubEnv(dataDir))
  t.same(
    orphans.filter((p) => alive(p.pid)).map((p) => p.args),
    [],
    'the orphaned PostgreSQL was stopped',
  )
  const token2 = await login(second)

  const open = await second.api('GET', '/api/v1/alerts?state=open', undefined, token2)
  t.equal(open.status, 200)
  t.equal(open.body.items.length, 1, 'the acknowledged SOS is an open alert after the crash')
  const alert = open.body.items[0]
  t.equal(alert?.deviceId, device.id)
  t.equal(alert?.type, 'sos')
  t.equal(alert?.event?.id, eventId)
  t.equal(alert?.event?.button, 'pull-cord')

  const readings = await second.api('GET', `/api/v1/devices/${device.id}/readings`, undefined, token2)
  t.equal(readings.status, 200)
  t.same(
    readings.body.items,
    [{ ts: new Date(readingTs).toISOString(), battery: 61, rssi: -67 }],
    'the acknowledged telemetry reading is stored',
  )

  const replay = await second.live(token2, '&since=0')
  const openedMsg = await replay.waitFor((m) => m.kind === 'alert.opened')
  t.equal(openedMsg.data.id, alert?.id, 'alert.opened was committed with the alert')
  t.same(seqs(replay.messages), oneToN(replay.messages.length), 'the stored feed has no gap')

  const again = await connect(t, second.mqttUrl, device)
  t.ok(again.client.connected, 'the device reconnects with its secret')
  await again.close()

  t.same(await second.proc.stop('SIGTERM', 20_000), { code: 0, signal: null })
  t.same(processesUsing(dataDir), [], 'no PostgreSQL from this DATA_DIR is left running')
})
