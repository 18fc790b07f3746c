import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sleep } from './util.js'

// A throwaway Mosquitto 2 (Debian's /usr/sbin/mosquitto) on a free loopback port, MQTT 5, anonymous, with
// no limit on what it queues for an offline persistent session: the stand-in for a production cluster in
// tests and the cluster benchmark. Sessions live in its memory (a broker restart is not what is tested).

export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto'

export interface Mosquitto {
  url: string
  port: number
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise((r) => server.close(r))
  return port
}

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mosquitto-'))
  const port = await freePort()
  const conf = path.join(dir, 'mosquitto.conf')
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      // a hub instance that is down keeps everything routed to its sessions until it is back
      'max_queued_messages 0',
      'max_queued_bytes 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  let exited = false
  const gone = new Promise<void>((r) => child.once('exit', () => r()))
  void gone.then(() => (exited = true))
  // ready once it accepts a TCP connection
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`mosquitto exited at start: ${stderr}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (ok) break
    if (i > 100) throw new Error(`mosquitto did not listen on ${port}: ${stderr}`)
    await sleep(50)
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      if (!exited) child.kill('SIGTERM')
      await Promise.race([gone, sleep(5_000)])
      if (!exited) child.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    },
  }
}
