import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { sleep } from '../lib/util.js'

// The embedded PostgreSQL outlives a hub that died or was stopped before its shutdown reached the database.
// Before its DATA_DIR is deleted, stop it: the pid comes from that folder's own postmaster.pid, nothing else.

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Fast shutdown (SIGINT), then SIGKILL after 10 s; a no-op when no server is running on `dataDir`. */
export async function stopLeftoverPostgres(dataDir: string): Promise<boolean> {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid')
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return false
  process.kill(pid, 'SIGINT')
  for (let i = 0; i < 200 && alive(pid); i++) await sleep(50)
  if (alive(pid)) process.kill(pid, 'SIGKILL')
  return true
}
