import { readFile, writeFile } from 'node:fs/promises'
import { SimDevice } from '../device.js'
import { mapLimit } from '../lib/util.js'
import { telemetryLoad } from './load.js'

// A telemetry flood in a process of its own (`bench:fire`): the measuring process stays light, so what it
// times is the hub, not its own backlog. Reads FLOOD_CREDS (a JSON file of { id, secret }), connects each
// device to FLOOD_URL, says {"ready":true}, sends one QoS 1 reading per device every FLOOD_EVERY_MS until
// SIGTERM (or FLOOD_MAX_MS, if set: it never outlives a crashed parent for long), then writes
// { sent, failed, unacked } to FLOOD_STATS and exits.

const creds = JSON.parse(await readFile(process.env.FLOOD_CREDS!, 'utf8')) as { id: string; secret: string }[]
const devices = await mapLimit(creds, 100, (c) => SimDevice.connect(process.env.FLOOD_URL!, c))
const load = telemetryLoad(devices, Number(process.env.FLOOD_EVERY_MS))
console.log(JSON.stringify({ ready: true }))
let finishing = false
async function finish() {
  if (finishing) return
  finishing = true
  const stats = await load.stop(10_000)
  await writeFile(process.env.FLOOD_STATS!, JSON.stringify(stats))
  await Promise.all(devices.map((d) => d.client.endAsync(true)))
  process.exit(0)
}
process.once('SIGTERM', finish)
if (process.env.FLOOD_MAX_MS) setTimeout(finish, Number(process.env.FLOOD_MAX_MS)).unref()
