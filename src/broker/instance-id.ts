import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

// An instance's MQTT client id must survive restarts (the cluster keeps what it routed to that session) and
// differ between instances: HUB_INSTANCE_ID, or one generated on the first start and kept in DATA_DIR.

export async function instanceId(dataDir: string, configured?: string): Promise<string> {
  if (configured) return configured
  const file = path.join(dataDir, 'instance-id')
  const kept = await readFile(file, 'utf8').then(
    (s) => s.trim(),
    () => '',
  )
  if (/^[A-Za-z0-9_.:-]{1,64}$/.test(kept)) return kept
  const id = `hub-${randomBytes(6).toString('hex')}`
  await mkdir(dataDir, { recursive: true })
  await writeFile(file, `${id}\n`)
  return id
}
