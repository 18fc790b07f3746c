import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import { tryLock } from 'fs-native-extensions'

// Who owns DATA_DIR, and whether a process named in a pid file still runs.
//
// The hub's lock is a kernel file lock (an open-file-description lock via fs-native-extensions), not a pid
// check: the kernel drops it when the holder exits, by any signal, before the process is even reaped. A pid
// file alone cannot tell a zombie (kill(pid, 0) succeeds on one) or a reused pid from a live hub, so a
// supervisor that restarts at once (systemd, Docker) would be refused. Node opens files close-on-exec, so
// the PostgreSQL the hub spawns does not inherit the lock.

export interface DataDirLock {
  release(): void
}

/** Takes the lock on `file` and writes our pid into it; null, with the holder's pid, if a live process has it. */
export function lockFile(file: string): { lock: DataDirLock } | { holder: number | null } {
  const fd = openSync(file, 'a+', 0o600)
  if (!tryLock(fd)) {
    closeSync(fd)
    return { holder: readPid(file) }
  }
  // The pid is for people and error messages only; the lock is what counts.
  ftruncateSync(fd, 0)
  writeSync(fd, `${process.pid}\n`)
  let held = true
  return {
    lock: {
      release() {
        if (!held) return
        held = false
        ftruncateSync(fd, 0)
        closeSync(fd)
      },
    },
  }
}

/** The first line of a pid file (PostgreSQL's postmaster.pid, our hub.pid) as a pid, or null. */
export function readPid(file: string): number | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return null
  }
  const pid = Number(text.split('\n')[0])
  return Number.isInteger(pid) && pid > 0 ? pid : null
}

/**
 * Whether `pid` is a running process (not a zombie) whose command line mentions `marker`. Where /proc is
 * missing (macOS) it falls back to kill(pid, 0), which cannot see zombies or check the command line.
 */
export function runningProcess(pid: number, marker: string): boolean {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && hasProc()) return false
    return signalZero(pid)
  }
  // "pid (comm) S …": comm may hold spaces and parentheses; the state follows the last ')'
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  if (state === 'Z' || state === 'X' || state === 'x') return false
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker)
  } catch {
    return false
  }
}

function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat')
    return true
  } catch {
    return false
  }
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
