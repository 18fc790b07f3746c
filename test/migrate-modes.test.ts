import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { createPool } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { markers, migrate } from '../src/store/migrate.js'
import { splitStatements } from '../src/store/sql-statements.js'
import { tempDataDir } from './fixtures/data-dir.js'

// Migration files that cannot run in a transaction (continuous aggregates, CREATE INDEX CONCURRENTLY) say so
// on their first lines; so do files that need an extension.

t.test('statements are split at semicolons outside strings, comments and dollar quotes', async (t) => {
  const sql = `-- migrate: no-transaction
CREATE TABLE a (s text DEFAULT 'x;y', "we;ird" int); -- trailing; comment
/* block; comment */ DO $$ BEGIN PERFORM 1; END $$;
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b' $body$;
SELECT 'it''s; fine'
`
  t.same(splitStatements(sql), [
    `-- migrate: no-transaction\nCREATE TABLE a (s text DEFAULT 'x;y', "we;ird" int);`,
    '-- trailing; comment\n/* block; comment */ DO $$ BEGIN PERFORM 1; END $$;',
    `CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b' $body$;`,
    `SELECT 'it''s; fine'`,
  ])
  t.same(markers('-- migrate: no-transaction\n-- migrate: only-with timescaledb\nSELECT 1'), {
    transaction: false,
    onlyWith: 'timescaledb',
  })
  t.same(
    markers('SELECT 1\n-- migrate: no-transaction'),
    { transaction: true },
    'only leading comments count',
  )
})

t.test(
  'a no-transaction file runs statement by statement; only-with skips where the extension is not',
  async (t) => {
    const pg = await startEmbedded(await tempDataDir(t), pino({ level: 'silent' }))
    t.teardown(() => pg.stop())
    const db = createPool(pg.url)
    t.teardown(() => db.end())
    const dir = await mkdtemp(path.join(tmpdir(), 'mig-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    await writeFile(
      path.join(dir, '001_table.sql'),
      'CREATE TABLE r (id int, v int);\nINSERT INTO r VALUES (1, 2);',
    )
    // refused inside a transaction block: passes only if the runner sends each statement on its own
    await writeFile(
      path.join(dir, '002_index.sql'),
      '-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS r_v ON r (v);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS r_id ON r (id);\n',
    )
    await writeFile(
      path.join(dir, '003_absent.sql'),
      '-- migrate: only-with no_such_extension\nSELECT no_such_function();',
    )
    t.same(await migrate(db, dir), [1, 2, 3])
    const idx = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'r' ORDER BY indexname`)
    t.same(
      idx.rows.map((r) => r.indexname),
      ['r_id', 'r_v'],
      'both indexes were built concurrently',
    )
    const recorded = await db.query('SELECT version, name FROM schema_migrations ORDER BY version')
    t.same(recorded.rows, [
      { version: 1, name: 'table' },
      { version: 2, name: 'index' },
      { version: 3, name: 'absent' },
    ])

    // a failing no-transaction file is not recorded, and runs again from the top once fixed
    await writeFile(
      path.join(dir, '004_broken.sql'),
      '-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS r_both ON r (id, v);\nSELECT no_such_function();\n',
    )
    await t.rejects(migrate(db, dir), /no_such_function/)
    const after = await db.query('SELECT max(version)::int AS v FROM schema_migrations')
    t.equal(after.rows[0].v, 3, 'the broken file is not recorded')
    await writeFile(
      path.join(dir, '004_broken.sql'),
      '-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS r_both ON r (id, v);\nSELECT 1;\n',
    )
    t.same(await migrate(db, dir), [4], 'fixed, it runs again and is recorded')
    const again = await db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`)
    t.equal(again.rows[0].n, 0, 'no advisory lock is left behind, failure or not')
  },
)
