import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { createPool } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { listMigrations, migrate } from '../src/store/migrate.js'
import { tempDataDir } from './fixtures/data-dir.js'

t.test('migrations: concurrent starts apply each once; a newer schema is refused', async (t) => {
  const pg = await startEmbedded(await tempDataDir(t), pino({ level: 'silent' }))
  t.teardown(() => pg.stop())
  const a = createPool(pg.url)
  const b = createPool(pg.url)
  t.teardown(() => Promise.all([a.end(), b.end()]))

  const known = await listMigrations()
  const [ranA, ranB] = await Promise.all([migrate(a), migrate(b)])
  t.same(
    [...ranA, ...ranB].sort((x, y) => x - y),
    known.map((m) => m.version),
    'each migration ran in exactly one of the two processes',
  )
  const { rows } = await a.query('SELECT version FROM schema_migrations ORDER BY version')
  t.same(
    rows.map((r) => r.version),
    known.map((m) => m.version),
  )
  t.same(await migrate(a), [], 'a second start applies nothing')

  await a.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from-the-future')")
  await t.rejects(migrate(a), /newer than this hub knows/)
})

t.test('migration files must be numbered without gaps', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mig-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(path.join(dir, '001_a.sql'), 'SELECT 1')
  await writeFile(path.join(dir, '003_c.sql'), 'SELECT 1')
  await t.rejects(listMigrations(dir), /without gaps/)
})
