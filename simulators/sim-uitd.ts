import { Command } from 'commander'
import { z } from 'zod'
import { parseCommand, runCli } from './lib/cli.js'
import { durationMs } from './lib/duration.js'
import { sleep } from './lib/util.js'
import { SimOnenet } from './onenet.js'
import { SimUitd } from './uitd.js'

// `npm run sim:uitd -- …`: drives a hub's GB/T 26875.3 receiver by hand with one simulated UITD (register it
// first: POST /api/v1/sites/{id}/uitds), or pushes one signed OneNET report. Prints each answer.

const schema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(1).max(65535).default(9026),
  address: z
    .string()
    .regex(/^[0-9a-f]{12}$/, '12 lowercase hex digits')
    .default('a1a2a3a4a5a6'),
  do: z.enum(['every-unit', 'fire', 'flap', 'garbage', 'onenet-sos']).default('every-unit'),
  component: z.coerce.number().int().min(0).max(0xffffffff).default(1001),
  down: durationMs().default(30_000),
  url: z.url().default('http://127.0.0.1:8080/api/v1/ingest/onenet'),
  token: z.string().optional(),
  deviceId: z.string().default('sim-device-1'),
})

async function main(argv: string[]): Promise<number> {
  const cmd = new Command('sim:uitd')
    .option('--host <host>', 'the hub (its HTTP_HOST)')
    .option('--port <port>', 'UITD_PORT')
    .option('--address <hex>', "the UITD's address, 12 hex digits")
    .option(
      '--do <what>',
      'every-unit | fire | flap (drop the link for --down, then restore) | garbage | onenet-sos',
    )
    .option('--component <n>', 'the component address of a fire')
    .option('--down <duration>', 'how long a flap keeps the link down')
    .option('--url <url>', 'the OneNET push callback (onenet-sos)')
    .option('--token <token>', 'ONENET_PUSH_TOKEN (onenet-sos)')
    .option('--device-id <id>', "the OneNET deviceId, a hub device's externalId (onenet-sos)")
  const o = parseCommand(cmd, argv, schema)
  if (o.do === 'onenet-sos') {
    if (!o.token) throw new Error('--token is needed to sign a push')
    const push = new SimOnenet({ url: o.url, token: o.token })
    const event = { id: `sim-${Date.now()}`, ts: new Date().toISOString(), type: 'sos', state: 'alarm' }
    console.log(await push.push(push.notify(o.deviceId, 'event', { sos: event })))
    return 0
  }
  const u = await SimUitd.connect(o.host, o.port, { address: o.address })
  try {
    if (o.do === 'every-unit')
      for (const a of await u.everyUnit()) console.log(`serial ${a.serial}: command ${a.command}`)
    if (o.do === 'fire') console.log('answer:', (await u.fire(o.component)).command)
    if (o.do === 'garbage') u.sendRaw(Buffer.alloc(128 * 1024, 0x41))
    if (o.do === 'flap') {
      await u.send(21, [{ state: 1, time: u.opts.clock() }])
      u.drop()
      console.log(`link down for ${o.down} ms`)
      await sleep(o.down)
      await u.restore()
      console.log('restored; answer:', (await u.send(21, [{ state: 1, time: u.opts.clock() }])).command)
    }
    await sleep(200)
  } finally {
    u.close()
  }
  return 0
}

runCli('sim:uitd', () => main(process.argv.slice(2)))
