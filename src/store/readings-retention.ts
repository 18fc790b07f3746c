import { type Db, withTransaction } from './db.js'

/**
 * Sets how long readings are kept (HUB_READINGS_RETENTION) where readings is a TimescaleDB hypertable: its
 * retention policy drops whole chunks past it (the continuous aggregates keep their hours and days). Replaced
 * only when it differs, so hubs starting together agree. Returns false on plain PostgreSQL, where nothing
 * is dropped.
 */
export async function applyReadingsRetention(db: Db, ms: number): Promise<boolean> {
  const ext = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)
  if (ext.rowCount === 0) return false
  const keep = ms % 86_400_000 === 0 ? `${ms / 86_400_000} days` : `${Math.round(ms / 1000)} seconds`
  await withTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(4242002)')
    const same = await tx.query(
      `SELECT 1 FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention'
         AND hypertable_name = 'readings' AND (config ->> 'drop_after')::interval = $1::interval`,
      [keep],
    )
    if (same.rowCount) return
    await tx.query(`SELECT remove_retention_policy('readings', if_exists => true)`)
    await tx.query(`SELECT add_retention_policy('readings', drop_after => $1::interval)`, [keep])
  })
  return true
}
