import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { sleep, withTimeout } from '../lib/util.js'
import type { Cleanup } from './cleanup.js'

// A server under test in its own process (`node --import tsx <script>`), so the hub and the bare broker
// are measured the same way: alone in a process, its memory read from /proc, stopped with SIGTERM and, on
// the error path, its whole process group ended.

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const STOP_TIMEOUT_MS = 30_000

type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: Error }

export class ServerProcess {
  private output = ''
  private exit?: Exit
  private readonly exited: Promise<Exit>
  private stoppedCleanly = false
  readonly startedAt = performance.now()

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
    cleanup: Cleanup,
    /** runs after the process is gone on the error path (e.g. stop a database it left running) */
    afterKill: () => Promise<unknown> = async () => {},
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise<Exit>((resolve) => {
      const settle = (e: Exit) => {
        this.exit ??= e
        resolve(this.exit)
      }
      child.once('exit', (code, signal) => settle({ code, signal }))
      child.once('error', (error) => settle({ code: null, signal: null, error }))
    })
    cleanup.defer(`stop ${label} (pid ${child.pid})`, async () => {
      if (this.stoppedCleanly) return
      await this.forceStop()
      await afterKill()
    })
  }

  static spawn(
    label: string,
    script: string,
    env: Record<string, string>,
    cleanup: Cleanup,
    afterKill?: () => Promise<unknown>,
  ): ServerProcess {
    // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it exits (open it in Chrome DevTools)
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : []
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group, so the error path can also end what it spawned (initdb, postgres)
      detached: true,
    })
    return new ServerProcess(label, child, cleanup, afterKill)
  }

  get pid() {
    return this.child.pid ?? 0
  }

  get hasExited() {
    return this.exit !== undefined
  }

  /** An error naming the process, with the tail of its output. */
  fail(what: string): Error {
    return new Error(`${this.label}: ${what}\n--- output (tail) ---\n${this.output.trim()}`)
  }

  /** Polls `ready()` every `pollMs` until it holds; fails if the process exits first or after `timeoutMs`. */
  async waitReady<T>(ready: () => Promise<T | undefined>, timeoutMs: number, pollMs = 20): Promise<T> {
    for (;;) {
      if (this.exit)
        throw this.fail(
          `exited (${this.exit.error?.message ?? this.exit.code ?? this.exit.signal}) before it was ready`,
        )
      if (performance.now() - this.startedAt > timeoutMs) throw this.fail(`not ready within ${timeoutMs} ms`)
      const value = await ready()
      if (value !== undefined) return value
      await sleep(pollMs)
    }
  }

  /** The first line of output that parses as JSON (how the bare broker says where it listens). */
  firstJsonLine<T>(): T | undefined {
    for (const line of this.output.split('\n')) {
      if (!line.startsWith('{')) continue
      try {
        return JSON.parse(line) as T
      } catch {
        // a partial line: wait for the rest
      }
    }
    return undefined
  }

  /** Resident memory of the process in bytes (Linux /proc), NaN where unavailable. */
  async rss(): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8').catch(() => '')
    const kb = status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]
    return kb ? Number(kb) * 1024 : Number.NaN
  }

  /** SIGTERM, and the time until it exited with status 0. */
  async stop(): Promise<number> {
    const t = performance.now()
    this.child.kill('SIGTERM')
    const result = await withTimeout(this.exited, STOP_TIMEOUT_MS, `${this.label} stopping after SIGTERM`)
    if (result.code !== 0) throw this.fail(`exited with ${result.code ?? result.signal} after SIGTERM`)
    this.stoppedCleanly = true
    return performance.now() - t
  }

  /** The error path: SIGTERM to the process group, SIGKILL to what is left after 20 s. */
  private async forceStop() {
    const group = (signal: NodeJS.Signals) => {
      try {
        if (this.child.pid) process.kill(-this.child.pid, signal)
      } catch {
        // the group is already empty
      }
    }
    if (!this.hasExited) {
      group('SIGTERM')
      await withTimeout(this.exited, 20_000, 'exit').catch(() => {})
    }
    group('SIGKILL')
  }
}

/** True when GET /healthz answers 200 (else false, never throws). */
export async function healthy(httpPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(1_000) })
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}
