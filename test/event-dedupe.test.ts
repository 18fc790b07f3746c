// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import pg from 'pg'
import { pino } from 'pino'
import t from 'tap'
import { DedupePruner } from '../src/ingest/dedupe-pruner.js'
import { insertFreshEvents } from '../src/store/events.js'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'

// A retransmission is the same device, id and payload within HUB_DEDUPE_WINDOW of the id's first arrival;
// the same id with another payload (a counter that restarted) or after the window is a new event. The
// window is 3 s here. A PUBACK comes after its event's commit, so once it is back the outcome is visible.

const WINDOW_MS = 3_000
const { Pool } = pg
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('dedupe by id, payload and window', async (t) => {
  const h = await startTestHub(t, { HUB_DEDUPE_WINDOW: `${WINDOW_MS / 1000}s` })
  const { device } = await h.provision('call-button')
  const button = await h.connectDevice(device)
  const feed = await h.live()
  const send = (msg: object) => button.publish('events', JSON.stringify(msg))
  const alerts = async () =>
    (await h.api('GET', `/api/v1/alerts?deviceId=${device.id}`, undefined, h.token)).body.items as any[]
  const db: pg.Client = await dbClient(t, h.hub.databaseUrl)
  const stored = async () =>
    (await db.query('SELECT event_id FROM events WHERE device_id = $1', [device.id])).rowCount

  const first = { id: 'e-1', ts: new Date().toISOString(), type: 'sos', button: 'pendant' }
  await send(first)
  const opened = (await feed.waitFor((m) => m.kind === 'alert.opened')).data
  await t.test('a true retransmission within the window changes nothing', async (t) => {
    // the same JSON with its keys in another order and other spacing is the same payload
    await button.publish('events', `{ "button": "pendant", "type": "sos", "ts": "${first.ts}", "id": "e-1" }`)
    t.match(await alerts(), [{ id: opened.id, count: 1 }])
    t.equal(await stored(), 1, 'stored once')
  })

  await t.test('the counter restarted: the same id with another payload is a new alarm', async (t) => {
    await h.api('POST', `/api/v1/alerts/${opened.id}/resolve`, { outcome: 'test press' }, h.token)
    const again = { id: 'e-1', ts: new Date().toISOString(), type: 'sos', button: 'wall' }
    await send(again)
    const reopened = (await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.id !== opened.id)).data
    t.match(reopened, { type: 'sos', state: 'open', count: 1, event: { id: 'e-1', button: 'wall' } })
    t.equal(await stored(), 2)

    await send(again)
    t.match(
      (await alerts()).find((a) => a.id === reopened.id),
      { count: 1 },
      'its retransmission is dropped',
    )

    await sleep(WINDOW_MS + 500)
    await send(again)
    t.match(
      (await alerts()).find((a) => a.id === reopened.id),
      { count: 2 },
      'after the window the same id and payload is a new event (a repeat folds into the open alert)',
    )
    t.equal(await stored(), 3)
  })

  await t.test('copies of one id inside one batch are judged one after the other', async (t) => {
    const row = (eventId: string, payload: object) => ({
      deviceId: device.id,
      eventId,
      type: 'sos',
      state: 'alarm',
      deviceTs: new Date(),
      receivedAt: new Date(),
      payload,
    })
    await db.query('BEGIN')
    const { fresh, level } = await insertFreshEvents(
      db as unknown as pg.PoolClient,
      [row('b-1', { a: 1 }), row('b-1', { a: 1 }), row('b-1', { a: 2 }), row('b-2', { a: 1 })],
      WINDOW_MS,
    )
    await db.query('ROLLBACK')
    t.same([...fresh].sort(), [0, 2, 3], 'a copy is dropped, another payload is new, another id is new')
    t.equal(level.get(device.id), 2, "the resident's ability level comes along")
  })
  await t.test('ids past their window are forgotten, and that changes no decision', async (t) => {
    const ids = async () =>
      (
        await db.query('SELECT event_id FROM event_ids WHERE device_id = $1 ORDER BY event_id', [device.id])
      ).rows.map((r) => r.event_id)
    const fresh = { id: 'e-2', ts: new Date().toISOString(), type: 'sos', button: 'pendant' }
    await sleep(WINDOW_MS + 500)
    await send(fresh) // e-1 last counted more than a window ago, e-2 just now
    const pool = new Pool({ connectionString: h.hub.databaseUrl, max: 1 })
    t.teardown(() => pool.end())
    const pruner = new DedupePruner({ db: pool, log: pino({ level: 'silent' }), dedupeWindowMs: WINDOW_MS })
    t.equal(await pruner.prune(), 1, 'one id past its window')
    t.same(await ids(), ['e-2'], 'the id inside its window is kept')
    const before = await stored()
    await send(fresh)
    t.equal(await stored(), before, 'a retransmission of the kept id is still dropped')
  })
})
