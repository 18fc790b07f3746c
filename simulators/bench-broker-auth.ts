import { performance } from 'node:perf_hooks'
import { runAllCleanups, scoped } from './bench/cleanup.js'
import { benchDatabase } from './bench/database.js'
import { startHub } from './bench/targets.js'
import { runCli } from './lib/cli.js'
import { Latency } from './lib/stats.js'
import { mapLimit } from './lib/util.js'

// A reconnect storm at the cluster: every device CONNECTs at once (one /api/v1/broker/auth each) and then
// publishes (one /acl each, as EMQX asks with its ACL cache cold), CONCURRENCY requests in flight.
//   npm run bench:broker-auth -- [devices] [concurrency]      defaults 5000 200

const [DEVICES = 5000, CONCURRENCY = 200] = process.argv.slice(2).map(Number)
const TOKEN = 'bench-cluster-token-0123456789'

runCli('bench:broker-auth', () =>
  scoped(async (cleanup) => {
    const database = await benchDatabase(cleanup)
    const hub = await startHub(database.url, cleanup, { HUB_BROKER_AUTH_TOKEN: TOKEN })
    cleanup.defer('stop the hub', () => hub.stop())
    const site = await hub.api.expect<{ id: string }>(201, 'POST', '/api/v1/sites', {
      kind: 'institution',
      name: 'Storm',
      address: '1 Storm Road',
    })
    const creds: { id: string; secret: string }[] = []
    for (let i = 0; i < DEVICES; i += 5000) {
      const rows = Array.from({ length: Math.min(5000, DEVICES - i) }, () => ({ type: 'call-button' }))
      const res = await hub.api.expect<{ accepted: { id: string; secret: string }[] }>(
        200,
        'POST',
        `/api/v1/sites/${site.id}/devices/import`,
        rows,
      )
      creds.push(...res.accepted)
    }
    const post = async (path: string, body: unknown, latency: Latency) => {
      const t = performance.now()
      const res = await fetch(`${hub.api.base}/api/v1/broker/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      const answer = (await res.json()) as { result?: string }
      latency.record(performance.now() - t)
      if (answer.result !== 'allow')
        throw new Error(`${path} refused a right request: ${JSON.stringify(answer)}`)
    }
    for (const [path, body] of [
      [
        'auth',
        (c: { id: string; secret: string }) => ({ clientid: c.id, username: c.id, password: c.secret }),
      ],
      [
        'acl',
        (c: { id: string }) => ({
          clientid: c.id,
          username: c.id,
          topic: `eldercare/v1/devices/${c.id}/events`,
          action: 'publish',
        }),
      ],
    ] as const) {
      const latency = new Latency()
      const t0 = performance.now()
      await mapLimit(creds, CONCURRENCY, (c) =>
        post(path, body(c as { id: string; secret: string }), latency),
      )
      const s = latency.summary()
      const rate = DEVICES / ((performance.now() - t0) / 1000)
      console.log(
        `/api/v1/broker/${path}: ${DEVICES} devices, ${CONCURRENCY} in flight: ${rate.toFixed(0)}/s · p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(0)} ms`,
      )
    }
    await runAllCleanups()
    return 0
  }),
)
