// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { SimDevice } from '../simulators/device.js'
import { freePort } from '../src/net.js'
import { runningProcess } from '../src/store/data-dir-lock.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { ADMIN_PASSWORD } from './fixtures/hub.js'
import { processesUsing, type RunningHub, spawnHub, startHubProcess } from './fixtures/process.js'

// The hub as an operator runs it, `npm start`, stopped by a supervisor: SIGTERM to npm stops node cleanly, and
// SIGKILL to the whole process group (npm, node, PostgreSQL) under 500 reconnecting call buttons is followed
// by a restart at once, five times in a row. What the dead processes leave (zombies, pid files) must not stop
// the next start, and every alarm the hub acknowledged is exactly one alert.

t.setTimeout(600_000)

const DEVICES = 500
const ROUNDS = 5
const ALARMS_PER_ROUND = 20
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `check` every 50 ms until it holds; throws with `what` after `ms`. */
async function until(what: string, ms: number, check: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await sleep(50)
  }
}

async function admin(h: RunningHub) {
  const res = await h.api('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`)
  return res.body.token as string
}

/** The pid of the hub's node process, a child of `parent` (npm execs node; so does the non-reaping parent). */
async function nodeChild(parent: number): Promise<number> {
  let pid = 0
  await until('a node child', 10_000, () => {
    const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' })
    const line = out.split('\n').find((l) => l.includes('src/main.ts'))
    pid = line ? Number(line.trim().split(/\s+/)[0]) : 0
    return pid > 0
  })
  return pid
}

t.test(
  'SIGTERM to `npm start` stops the hub cleanly; a second hub on the same DATA_DIR is refused',
  async (t) => {
    const dataDir = await tempDataDir(t)
    const env = { DATA_DIR: dataDir, HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, MQTT_HOST: '127.0.0.1' }
    const hub = await startHubProcess(t, { ...env, LOG_LEVEL: 'info' }, { via: 'npm' })
    const node = await nodeChild(hub.proc.child.pid!)

    const second = spawnHub(t, { ...env, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', MQTT_PORT: '0' })
    const refused = await second.waitExit(60_000)
    t.same(refused, { code: 3, signal: null }, 'the second hub exits with code 3')
    t.match(second.stderr, new RegExp(`another hub \\(pid ${node}\\) is running on DATA_DIR`))
    t.equal((await hub.api('GET', '/healthz')).status, 200, 'the first hub is untouched')

    const exit = await hub.proc.stop('SIGTERM', 20_000)
    t.same(exit, { code: 0, signal: null }, 'npm exits with code 0 within 20 s')
    t.notOk(runningProcess(node, 'src/main.ts'), 'node got the signal: no orphan hub is left')
    t.match(hub.proc.stdout + hub.proc.stderr, /"msg":"shutting down"/, 'node shut down on the signal')
    t.same(processesUsing(dataDir), [], 'the hub stopped its embedded PostgreSQL')
  },
)

t.test(
  'SIGKILL of the process group under 500 reconnecting devices, five times: it always comes back',
  async (t) => {
    const dataDir = await tempDataDir(t)
    // fixed ports: the devices keep reconnecting to the same address across restarts
    const [httpPort, mqttPort] = [await freePort(), await freePort()]
    const env = {
      DATA_DIR: dataDir,
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      HTTP_PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      MQTT_HOST: '127.0.0.1',
    }
    let hub = await startHubProcess(t, env, { via: 'npm' })
    const token = await admin(hub)
    const post = async (path: string, body: unknown) => {
      const res = await hub.api('POST', path, body, token)
      if (res.status !== 201) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body)}`)
      return res.body
    }
    const site = await post('/api/v1/sites', {
      kind: 'institution',
      name: 'Crash loop home',
      address: '5 Road',
    })
    const creds: { id: string; secret: string }[] = []
    for (let i = 0; i < DEVICES; i += 50) {
      const batch = Array.from({ length: Math.min(50, DEVICES - i) }, () =>
        post('/api/v1/devices', { type: 'call-button', siteId: site.id }),
      )
      creds.push(...(await Promise.all(batch)))
    }
    const devices: SimDevice[] = []
    for (let i = 0; i < DEVICES; i += 50) {
      const batch = creds
        .slice(i, i + 50)
        .map((c) => SimDevice.connect(hub.mqttUrl, c, { reconnectPeriod: 500, connectTimeout: 5_000 }))
      devices.push(...(await Promise.all(batch)))
    }
    for (const d of devices) d.client.on('error', () => {})
    t.teardown(() => Promise.all(devices.map((d) => d.client.endAsync(true))))
    const connected = () => devices.filter((d) => d.client.connected).length

    // each alarm comes from a device of its own, so that each is exactly one alert (repeats would fold);
    // event ids are unique per device only
    const sent: { device: string; id: string; acked: Promise<boolean> }[] = []
    const acked = new Set<string>()
    const eventKey = (device: string, id: string) => `${device} ${id}`
    const restartMs: number[] = []
    const reconnectMs: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      await until('every device is connected', 60_000, () => connected() === DEVICES)
      const before = acked.size
      for (const d of devices.slice(round * ALARMS_PER_ROUND, (round + 1) * ALARMS_PER_ROUND)) {
        const id = d.newEventId()
        const ts = new Date().toISOString()
        const acked$ = d.client
          .publishAsync(d.topic('events'), JSON.stringify({ id, ts, type: 'sos' }), { qos: 1 })
          .then(
            () => acked.add(eventKey(d.id, id)) && true,
            () => false,
          )
        sent.push({ device: d.id, id, acked: acked$ })
      }
      // kill while the round's alarms are in flight, right after the first PUBACKs
      await until('a first PUBACK of the round', 30_000, () => acked.size >= before + 3).catch((err) => {
        throw new Error(`${err.message}\n--- hub stderr\n${hub.proc.stderr.slice(-4000)}`)
      })
      const killedAt = Date.now()
      hub.proc.killGroup()
      await hub.proc.waitExit(10_000)

      hub = await startHubProcess(t, env, { via: 'npm' })
      restartMs.push(Date.now() - killedAt)
      await until('every device is back', 60_000, () => connected() === DEVICES)
      reconnectMs.push(Date.now() - killedAt)
    }

    // QoS 1 from a persistent session: what was not acknowledged before a kill goes out again after it
    const results = await Promise.race([
      Promise.all(sent.map((s) => s.acked)),
      sleep(60_000).then(() => [] as boolean[]),
    ])
    t.equal(results.filter(Boolean).length, sent.length, 'every alarm is acknowledged in the end')

    const token2 = await admin(hub)
    const res = await hub.api(
      'GET',
      `/api/v1/alerts?siteId=${site.id}&type=sos&limit=1000`,
      undefined,
      token2,
    )
    t.equal(res.status, 200)
    const alerts = res.body.items as any[]
    const byEvent = new Map<string, number>()
    for (const a of alerts) byEvent.set(a.event?.id, (byEvent.get(a.event?.id) ?? 0) + 1)
    t.same(
      sent.filter((s) => acked.has(s.id) && byEvent.get(s.id) !== 1).map((s) => [s.id, byEvent.get(s.id)]),
      [],
      'every acknowledged alarm is exactly one alert',
    )
    t.equal(alerts.length, acked.size, 'and there are no others')
    t.same(
      alerts.map((a) => a.count),
      alerts.map(() => 1),
      'no alarm was counted twice (a resend after a kill is a retransmission)',
    )
    t.comment(`kill → healthy hub (ms): ${restartMs.join(', ')}`)
    t.comment(`kill → all ${DEVICES} devices reconnected (ms): ${reconnectMs.join(', ')}`)

    t.same(await hub.proc.stop('SIGTERM', 20_000), { code: 0, signal: null }, 'the last run stops cleanly')
    t.same(processesUsing(dataDir), [], 'no PostgreSQL from this DATA_DIR is left running')
  },
)

t.test(
  'a dead hub left as a zombie, or a pid file naming another program, does not block a start',
  async (t) => {
    const dataDir = await tempDataDir(t)
    const env = { DATA_DIR: dataDir, HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, MQTT_HOST: '127.0.0.1' }
    const first = await startHubProcess(t, env, { via: 'non-reaping-parent' })
    const reaper = first.proc.child.pid!
    const node = await nodeChild(reaper)
    process.kill(node, 'SIGKILL')
    await until('the killed hub is a zombie', 10_000, () => /\) Z /.test(procStat(node)))
    t.pass('the killed hub is a zombie its parent never reaps (kill(pid, 0) still succeeds on it)')

    const second = await startHubProcess(t, env)
    t.equal(
      (await second.api('GET', '/healthz')).status,
      200,
      'a new hub starts on the same DATA_DIR at once',
    )
    t.same(await second.proc.stop('SIGTERM', 20_000), { code: 0, signal: null })

    // a postmaster.pid naming a live process that is not this cluster's PostgreSQL (a reused pid)
    await writeFile(path.join(dataDir, 'pg', 'postmaster.pid'), `${reaper}\n${dataDir}/pg\n`)
    const third = await startHubProcess(t, env)
    t.equal((await third.api('GET', '/healthz')).status, 200, 'a stale postmaster.pid does not block a start')
    t.ok(procStat(reaper), 'and the process it named was left alone')
    t.same(await third.proc.stop('SIGTERM', 20_000), { code: 0, signal: null })
  },
)

function procStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return ''
  }
}
