import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { type Db, withTransaction } from './db.js'

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations')

// Any constant works; it only has to be the same in every hub process.
const MIGRATION_LOCK = 4_242_001

interface Migration {
  version: number
  name: string
  file: string
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

/**
 * Applies pending migrations, forward only. Safe when several hubs start at once: a transaction-scoped
 * advisory lock serialises them, and each migration is recorded in the same transaction that applies it.
 * Refuses to run against a schema newer than this code knows.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<number[]> {
  const migrations = await listMigrations(dir)
  return withTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
    const current = rows[0]?.v ?? 0
    const known = migrations.at(-1)?.version ?? 0
    if (current > known) {
      throw new Error(
        `the database schema is at version ${current}, newer than this hub knows (${known}): upgrade the hub`,
      )
    }
    const applied: number[] = []
    for (const m of migrations.filter((m) => m.version > current)) {
      await tx.query(await readFile(m.file, 'utf8'))
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
      applied.push(m.version)
    }
    return applied
  })
}
