import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Db, Tx } from './db.js'
import { splitStatements } from './sql-statements.js'

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations')

// Any constant works; it only has to be the same in every hub process.
const MIGRATION_LOCK = 4_242_001

/**
 * Markers a migration file may carry in its leading comment lines:
 * - `-- migrate: no-transaction`: its statements run one by one outside a transaction (continuous aggregates,
 *   CREATE INDEX CONCURRENTLY). A crash midway leaves it half applied and it runs again from the top, so each
 *   statement must be safe to repeat (IF NOT EXISTS, if_not_exists => true).
 * - `-- migrate: only-with <extension>`: applied only where that extension is installed (e.g. timescaledb),
 *   recorded as applied either way.
 */
export interface Migration {
  version: number
  name: string
  file: string
}

interface Markers {
  transaction: boolean
  onlyWith?: string
}

export function markers(sql: string): Markers {
  const out: Markers = { transaction: true }
  for (const line of sql.split('\n')) {
    if (!line.startsWith('--')) break
    const m = /^--\s*migrate:\s*(no-transaction|only-with\s+(\w+))\s*$/.exec(line)
    if (m?.[1] === 'no-transaction') out.transaction = false
    else if (m?.[2]) out.onlyWith = m[2]
  }
  return out
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort()
  return files.map((file, i) => {
    const version = Number(file.slice(0, 3))
    if (version !== i + 1)
      throw new Error(`migrations must be numbered 001, 002, … without gaps; found ${file}`)
    return { version, name: file.slice(4, -4), file: path.join(dir, file) }
  })
}

async function apply(c: Tx, m: Migration): Promise<void> {
  const sql = await readFile(m.file, 'utf8')
  const { transaction, onlyWith } = markers(sql)
  const record = () =>
    c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
  const skip =
    onlyWith && (await c.query('SELECT 1 FROM pg_extension WHERE extname = $1', [onlyWith])).rowCount === 0
  if (skip) return void (await record())
  if (!transaction) {
    for (const statement of splitStatements(sql)) await c.query(statement)
    return void (await record())
  }
  await c.query('BEGIN')
  try {
    await c.query(sql)
    await record()
    await c.query('COMMIT')
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  }
}

/**
 * Applies pending migrations, forward only. Safe when several hubs start at once: a session advisory lock
 * serialises them, and each migration is recorded once applied (in its own transaction, unless it is a
 * no-transaction file). Refuses to run against a schema newer than this code knows.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<number[]> {
  const migrations = await listMigrations(dir)
  const c = await db.connect()
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
    const current = rows[0]?.v ?? 0
    const known = migrations.at(-1)?.version ?? 0
    if (current > known) {
      throw new Error(
        `the database schema is at version ${current}, newer than this hub knows (${known}): upgrade the hub`,
      )
    }
    const applied: number[] = []
    for (const m of migrations.filter((m) => m.version > current)) {
      await apply(c, m)
      applied.push(m.version)
    }
    return applied
  } finally {
    // a connection that cannot unlock is closed rather than returned to the pool holding the lock
    const unlocked = await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).then(
      () => true,
      () => false,
    )
    c.release(!unlocked)
  }
}
