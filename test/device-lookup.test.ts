import { pino } from 'pino'
import t from 'tap'
import { deviceLookup } from '../src/broker/device-lookup.js'
import { createPool } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { migrate } from '../src/store/migrate.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { freshDatabaseUrl } from './fixtures/test-database.js'

// Device look-ups at CONNECT against a real PostgreSQL: concurrent CONNECTs share one query, those arriving
// while it runs share the next one (never one query each), and each CONNECT gets its own device's row.

t.test('device look-ups share queries, one at a time, each answer its own', async (t) => {
  let url = await freshDatabaseUrl(t)
  if (!url) {
    const pg = await startEmbedded(await tempDataDir(t), pino({ level: 'silent' }))
    t.teardown(() => pg.stop())
    url = pg.url
  }
  const db = createPool(url)
  t.teardown(() => db.end())
  await migrate(db)
  await db.query(
    `INSERT INTO sites (id, kind, name, address) VALUES ('sit_lookup', 'home', 'Lookup home', '1 Road')`,
  )
  const ids = Array.from({ length: 300 }, (_, i) => `dev_lookup${String(i).padStart(4, '0')}`)
  await db.query(
    `INSERT INTO devices (id, type, site_id, secret_hash)
     SELECT id, 'call-button', 'sit_lookup', convert_to(id, 'UTF8') FROM unnest($1::text[]) AS id`,
    [ids],
  )

  // counts the queries the look-up sends, and how many run at once (the pool itself is real)
  let queries = 0
  let running = 0
  let mostAtOnce = 0
  const counted = {
    query: (async (...args: Parameters<typeof db.query>) => {
      queries++
      mostAtOnce = Math.max(mostAtOnce, ++running)
      try {
        return await (db.query as (...a: unknown[]) => Promise<unknown>)(...args)
      } finally {
        running--
      }
    }) as typeof db.query,
  }
  const lookup = deviceLookup(counted)

  const first = ids.slice(0, 100).map((id) => lookup(id))
  const unknown = lookup('dev_nosuchdevice')
  await new Promise((r) => setImmediate(r))
  t.equal(queries, 1, 'one query for the CONNECTs of one turn')
  // these arrive while that query runs: they wait for it and share the next one
  const second = ids.slice(100).map((id) => lookup(id))
  await new Promise((r) => setImmediate(r))
  t.equal(queries, 1, 'no second query while the first runs')
  const rows = await Promise.all([...first, ...second])
  t.equal(queries, 2, 'the CONNECTs that waited share one query')
  t.equal(mostAtOnce, 1, 'one query at a time')
  t.same(
    rows.map((r) => [r?.id, r?.secret_hash.toString()]),
    ids.map((id) => [id, id]),
    'each look-up answers with its own device',
  )
  t.equal(await unknown, undefined, 'an unknown device is no row')

  t.equal((await lookup(ids[0]!))?.id, ids[0], 'a lone CONNECT later is looked up at once')
  t.equal(queries, 3)
})
