import { rm } from 'node:fs/promises'
import { pino } from 'pino'
import { startEmbedded } from '../../src/store/embedded.js'
import { tempDir } from '../lib/util.js'
import type { Cleanup } from './cleanup.js'
import { stopLeftoverPostgres } from './leftover-postgres.js'

/** DATABASE_URL, or an embedded PostgreSQL in a temp folder that this process owns and removes. */
export async function benchDatabase(cleanup: Cleanup) {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, label: 'DATABASE_URL' }
  const dir = await tempDir('hub-bench-')
  cleanup.defer('remove the bench database', () => rm(dir, { recursive: true, force: true }))
  cleanup.defer('stop a leftover embedded PostgreSQL', () => stopLeftoverPostgres(dir))
  const db = await startEmbedded(dir, pino({ level: 'silent' }))
  cleanup.defer('stop the embedded PostgreSQL', () => db.stop())
  return { url: db.url, label: 'embedded PostgreSQL (fresh temp folder)' }
}
