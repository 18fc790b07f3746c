import { rm } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { freePort } from '../../src/net.js'
import { tempDir } from '../lib/util.js'
import { healthy, ServerProcess } from './child.js'
import { type Cleanup, scoped } from './cleanup.js'
import { stopLeftoverPostgres } from './leftover-postgres.js'
import { ADMIN_PASSWORD } from './targets.js'

// Startup: spawn `node --import tsx src/main.ts` as `npm start` would, time it to the first 200 from
// GET /healthz, then SIGTERM it and time the clean exit. Once on a fresh DATA_DIR (initdb included), once
// again on the same DATA_DIR (a restart).

const READY_TIMEOUT_MS = 60_000

export interface StartupRun {
  label: string
  /** spawn → first 200 from /healthz */
  readyMs: number
  /** SIGTERM → process exit */
  stopMs: number
}

export interface StartupResult {
  database: string
  runs: StartupRun[]
}

export async function benchStartup(log: (line: string) => void): Promise<StartupResult> {
  return scoped(async (cleanup) => {
    const dataDir = await tempDir('hub-bench-startup-')
    cleanup.defer('remove the startup data dir', () => rm(dataDir, { recursive: true, force: true }))
    const runs: StartupRun[] = []
    const labels = process.env.DATABASE_URL
      ? ['first start (DATABASE_URL)', 'restart (DATABASE_URL)']
      : ['first start (fresh DATA_DIR)', 'restart (same DATA_DIR)']
    for (const label of labels) {
      const run = await startOnce(label, dataDir, cleanup)
      log(`${label}: ready in ${run.readyMs.toFixed(0)} ms, stopped in ${run.stopMs.toFixed(0)} ms`)
      runs.push(run)
    }
    return { database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded', runs }
  })
}

async function startOnce(label: string, dataDir: string, cleanup: Cleanup): Promise<StartupRun> {
  const httpPort = await freePort()
  const env = {
    DATA_DIR: dataDir,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(await freePort()),
    HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
  }
  // a hub signalled before its handlers are installed dies at once and leaves its PostgreSQL running
  const hub = ServerProcess.spawn(label, 'src/main.ts', env, cleanup, () => stopLeftoverPostgres(dataDir))
  await hub.waitReady(async () => ((await healthy(httpPort)) ? true : undefined), READY_TIMEOUT_MS)
  const readyMs = performance.now() - hub.startedAt
  return { label, readyMs, stopMs: await hub.stop() }
}
