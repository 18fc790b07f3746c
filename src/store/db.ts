import pg from 'pg'

export type Db = pg.Pool
export type Tx = pg.PoolClient
/** Anything that can run a query: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>

// timestamptz and bigint come back as Date and string; counts and seqs here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))
// a calendar date stays the text 'YYYY-MM-DD': as a Date it would become local midnight, a day off elsewhere
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v)

export function createPool(connectionString: string, max = 16, name = 'eldercare-hub'): Db {
  const pool = new pg.Pool({ connectionString, max, application_name: name })
  // An idle client losing its server must not crash the hub; the next query reconnects.
  pool.on('error', () => {})
  return pool
}

/**
 * The hub's three pools. Alarms (device events, fire forwarding) and telemetry each have their own, so an
 * alarm never waits for a connection that telemetry holds; everything else (HTTP, escalation, outbox,
 * device authentication) shares the main one. Telemetry commits one batch at a time: two are plenty.
 */
export function createPools(connectionString: string) {
  return {
    main: createPool(connectionString, 12, 'eldercare-hub'),
    alarms: createPool(connectionString, 4, 'eldercare-hub:alarms'),
    telemetry: createPool(connectionString, 2, 'eldercare-hub:telemetry'),
  }
}

export type Pools = ReturnType<typeof createPools>

export async function withTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = await db.connect()
  try {
    await tx.query('BEGIN')
    const result = await fn(tx)
    await tx.query('COMMIT')
    return result
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    tx.release()
  }
}
