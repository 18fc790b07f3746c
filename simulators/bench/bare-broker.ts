import { createServer } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Aedes } from 'aedes'
import mqtt from 'mqtt'
import { parseDeviceTopic, TOPIC_ROOT } from '../../src/contract/topics.js'
import { SimDevice } from '../device.js'
import { scoped } from './cleanup.js'
import type { RunOptions } from './hub-run.js'
import { eventKey, type Mode, type PassResult, PassRunner } from './pass.js'
import { mapLimit, withTimeout } from './util.js'

// (b) The baseline: a bare aedes broker (no auth, no hooks, no database) in this process, the same
// SimDevice clients publishing the same SOS payloads, and one subscriber on the wildcard. Latency is
// publish → subscriber receipt.

export interface BareResult {
  setupMs: { connect: number }
  paced: PassResult
  burst: PassResult
}

export async function benchBare(o: RunOptions, log: (line: string) => void): Promise<BareResult> {
  return scoped(async (cleanup) => {
    const aedes = await Aedes.createBroker()
    const server = createServer(aedes.handle)
    const closed = new Promise<void>((r) => server.once('close', () => r()))
    cleanup.defer('close the bare broker', async () => {
      server.close() // stop accepting; 'close' follows once aedes has dropped every connection
      await new Promise<void>((r) => aedes.close(() => r()))
      await closed
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`
    log(`bare aedes listening on ${url}`)

    const subscriber = await mqtt.connectAsync(url, {
      clientId: 'bench-subscriber',
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    })
    cleanup.defer('disconnect the subscriber', () => subscriber.endAsync())
    subscriber.on('message', (topic, payload) => {
      const target = parseDeviceTopic(topic)
      const { id } = JSON.parse(payload.toString()) as { id?: string }
      if (target) runner.current?.arrived(eventKey(target.deviceId, id ?? ''))
    })
    await withTimeout(
      subscriber.subscribeAsync(`${TOPIC_ROOT}/+/events`, { qos: 1 }),
      10_000,
      'subscribing to the wildcard',
    )

    const devices: SimDevice[] = []
    const runner = new PassRunner('bare', devices, o.settleMs, log)
    cleanup.defer('disconnect the bare clients', () => Promise.all(devices.map((d) => d.close())))
    const ids = Array.from({ length: o.devices }, (_, i) => `bare-${String(i + 1).padStart(6, '0')}`)
    const t = performance.now()
    await mapLimit(ids, o.connectConcurrency, async (id) => {
      // aedes without an authenticate hook accepts any credentials
      devices.push(await SimDevice.connect(url, { id, secret: 'unused' }))
    })
    const connect = performance.now() - t
    log(`connected ${devices.length} clients to bare aedes in ${connect.toFixed(0)} ms`)

    const run = (mode: Mode, eventId: string) => runner.run(mode, eventId)
    const paced = await run({ kind: 'paced', rate: o.rate }, 'bench-paced')
    const burst = await run({ kind: 'burst' }, 'bench-burst')
    return { setupMs: { connect }, paced, burst }
  })
}
