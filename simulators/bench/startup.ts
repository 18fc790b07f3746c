import { type ChildProcess, spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/net.js'
import { type Cleanup, scoped } from './cleanup.js'
import { stopLeftoverPostgres } from './leftover-postgres.js'
import { sleep, tempDir, withTimeout } from './util.js'

// (c) Startup: spawn `node --import tsx src/main.ts` as `npm start` would, time it to the first 200 from
// GET /healthz, then SIGTERM it and time the clean exit. Once on a fresh DATA_DIR (initdb included), once
// again on the same DATA_DIR (a restart).

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const READY_TIMEOUT_MS = 60_000
const POLL_MS = 20
const STOP_TIMEOUT_MS = 30_000

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

type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: Error }

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
  const mqttPort = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      HUB_ADMIN_PASSWORD: 'bench-admin-password',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so the error path can also end the initdb/postgres it spawned
    detached: true,
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exit: Exit | undefined
  const exited = new Promise<Exit>((resolve) => {
    const settle = (e: Exit) => {
      exit ??= e
      resolve(exit)
    }
    child.once('exit', (code, signal) => settle({ code, signal }))
    child.once('error', (error) => settle({ code: null, signal: null, error }))
  })
  let stoppedCleanly = false
  cleanup.defer(`stop hub process ${child.pid}`, () =>
    stoppedCleanly ? undefined : forceStop(child, () => exit !== undefined, exited, dataDir),
  )
  const why = (what: string) => new Error(`${label}: ${what}\n--- hub output (tail) ---\n${output.trim()}`)

  let readyMs: number | undefined
  while (readyMs === undefined) {
    if (exit)
      throw why(`the hub exited (${exit.error?.message ?? exit.code ?? exit.signal}) before it was ready`)
    if (performance.now() - t0 > READY_TIMEOUT_MS) throw why(`/healthz did not answer 200 within 60 s`)
    if (await healthy(httpPort)) readyMs = performance.now() - t0
    else await sleep(POLL_MS)
  }

  const t1 = performance.now()
  child.kill('SIGTERM')
  const result = await withTimeout(exited, STOP_TIMEOUT_MS, `${label}: the hub stopping after SIGTERM`)
  const stopMs = performance.now() - t1
  if (result.code !== 0) throw why(`the hub exited with ${result.code ?? result.signal} after SIGTERM`)
  stoppedCleanly = true
  return { label, readyMs, stopMs }
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) })
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

async function waitGone(exited: Promise<unknown>, ms: number) {
  await withTimeout(exited, ms, 'exit').catch(() => {})
}

/**
 * The error path: SIGTERM to the hub's process group, SIGKILL to what is left of it after 20 s (initdb, or a
 * postgres the hub had not stopped: a hub signalled before its handlers are installed dies at once), then the
 * embedded PostgreSQL named in the data dir if it still runs. Only this group and that pid are touched.
 */
async function forceStop(
  child: ChildProcess,
  hasExited: () => boolean,
  exited: Promise<Exit>,
  dataDir: string,
) {
  const group = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal)
    } catch {
      // the group is already empty
    }
  }
  if (!hasExited()) {
    group('SIGTERM')
    await waitGone(exited, 20_000)
  }
  group('SIGKILL')
  await stopLeftoverPostgres(dataDir)
}
