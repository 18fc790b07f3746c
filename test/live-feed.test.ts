import { createServer } from 'node:http'
import pg from 'pg'
import { pino } from 'pino'
import t from 'tap'
import WebSocket, { WebSocketServer } from 'ws'
import { Bus } from '../src/bus.js'
import type { LiveMessage } from '../src/contract/live.js'
import { LiveFeed } from '../src/http/live-feed.js'
import { createMetrics } from '../src/metrics.js'
import { createPool } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { appendFeed } from '../src/store/feed.js'
import { migrate } from '../src/store/migrate.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { LiveRecorder, startTestHub } from './fixtures/hub.js'

t.test('through the hub: auth, ?since= replay in order, then live; too-old since gets 4410', async (t) => {
  const h = await startTestHub(t)
  const noToken = new WebSocket(`ws://127.0.0.1:${h.hub.httpPort}/api/v1/live`)
  const status = await new Promise((r) => noToken.on('unexpected-response', (_req, res) => r(res.statusCode)))
  t.equal(status, 401)
  const badSince = new WebSocket(`ws://127.0.0.1:${h.hub.httpPort}/api/v1/live?token=${h.token}&since=-1`)
  t.equal(await new Promise((r) => badSince.on('unexpected-response', (_req, res) => r(res.statusCode))), 400)

  const { device } = await h.provision()
  const first = await h.live()
  const d = await h.connectDevice(device)
  await d.event('sos')
  await d.event('sos')
  await d.event('cancel')
  // opened, repeated, cancelled, and the escalation's first step, in whatever order they committed
  await first.waitFor(() => first.messages.length === 4)
  const seqs = (r: { messages: { seq: number }[] }) => r.messages.map((m) => m.seq)
  t.same(seqs(first), [1, 2, 3, 4])

  // a client that saw seq 1 resumes: gets 2, 3, 4 from storage, then new messages live
  const resumed = await h.live('&since=1')
  await resumed.waitFor((m) => m.seq === 4)
  t.same(resumed.messages, first.messages.slice(1), 'the replay is what the first client saw, in order')
  const alertId = first.messages[0]!.data.id
  await h.api('POST', `/api/v1/alerts/${alertId}/ack`, {}, h.token)
  const acked = await resumed.waitFor((m) => m.seq === 5)
  t.same(seqs(resumed), [2, 3, 4, 5])
  t.equal(acked.kind, 'alert.updated')
  t.equal(acked.data.state, 'acknowledged')
  const fresh = await h.live()
  t.same(fresh.messages, [], 'without since, only new messages')

  const db = new pg.Client({ connectionString: h.hub.databaseUrl })
  await db.connect()
  t.teardown(() => db.end())
  await db.query('DELETE FROM feed WHERE seq <= 2')
  const tooOld = await h.live('&since=0')
  t.equal(await tooOld.waitForClose(), 4410)
  const justInside = await h.live('&since=2')
  await justInside.waitFor((m) => m.seq === 5)
  t.same(seqs(justInside), [3, 4, 5])
})

t.test('the sequencer and slow clients', async (t) => {
  const pgServer = await startEmbedded(await tempDataDir(t), pino({ level: 'silent' }))
  t.teardown(() => pgServer.stop())
  const db = createPool(pgServer.url)
  t.teardown(() => db.end())
  await migrate(db)
  const bus = new Bus()
  const feed = new LiveFeed(db, bus, createMetrics(), pino({ level: 'silent' }))
  await feed.start()
  t.teardown(() => feed.stop())
  const wss = new WebSocketServer({ noServer: true })
  const server = createServer()
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => void feed.attach(ws, undefined)),
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const c of wss.clients) c.terminate()
    server.close()
  })
  const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`
  const connect = async () => {
    const ws = new WebSocket(url)
    t.teardown(() => ws.terminate())
    const rec = new LiveRecorder(ws)
    await new Promise((r) => ws.once('open', r))
    return rec
  }
  const store = (n: number, size = 10) =>
    appendFeed(
      db,
      Array.from({ length: n }, () => ({
        kind: 'alert.updated' as const,
        data: { pad: 'x'.repeat(size) } as never,
      })),
    )

  const client = await connect()
  const [m1, m2, m3] = (await store(3)) as [LiveMessage, LiveMessage, LiveMessage]
  bus.emit('live', m3)
  bus.emit('live', m1)
  bus.emit('live', m2)
  await client.waitFor((m) => m.seq === m3.seq)
  t.same(
    client.messages.map((m) => m.seq),
    [m1.seq, m2.seq, m3.seq],
    'released in seq order whatever the emit order',
  )

  const [lost, after] = (await store(2)) as [LiveMessage, LiveMessage]
  bus.emit('live', after)
  await client.waitFor((m) => m.seq === after.seq)
  t.same(
    client.messages.slice(3).map((m) => m.seq),
    [lost.seq, after.seq],
    'a seq never emitted is read back from the database',
  )

  // one client stops reading; the other must not be held back, the slow one is closed with 1013
  const slow = await connect()
  const healthy = await connect()
  ;(slow.ws as unknown as { _socket: { pause(): void } })._socket.pause()
  const big = await store(400, 64 * 1024)
  // in bursts, as commits arrive: a burst larger than the bound would close every client at once
  for (let i = 0; i < big.length; i += 8) {
    for (const m of big.slice(i, i + 8)) bus.emit('live', m)
    await new Promise((r) => setTimeout(r, 10))
  }
  await healthy.waitFor((m) => m.seq === big.at(-1)!.seq, 30_000)
  t.equal(healthy.messages.length, 400, 'the healthy client got everything')
  ;(slow.ws as unknown as { _socket: { resume(): void } })._socket.resume()
  t.equal(await slow.waitForClose(30_000), 1013, 'the slow client is closed with 1013')
  t.ok(slow.messages.length < 400, 'and was not sent everything')
})
