import { Command } from 'commander'
import { z } from 'zod'
import { deviceTypes } from '../../devices/index.js'
import { parseCommand } from '../lib/cli.js'
import { durationMs } from '../lib/duration.js'

// `npm run sim -- …`: the command line, parsed by commander and validated by one zod schema.

const countsText = z
  .string()
  .transform((text, ctx) => {
    const out: Record<string, number> = {}
    for (const part of text.split(',').filter(Boolean)) {
      const [type, n] = part.split('=')
      if (!type || !(deviceTypes as readonly string[]).includes(type) || !/^\d+$/.test(n ?? '')) {
        ctx.addIssue({
          code: 'custom',
          message: `"${part}" is not type=count with a type of ${deviceTypes.join(', ')}`,
        })
        return z.NEVER
      }
      out[type] = Number(n)
    }
    return out
  })
  .optional()

const intText = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

export const simOptionsSchema = z.object({
  api: z.url().default('http://127.0.0.1:8080'),
  mqtt: z
    .string()
    .regex(/^(mqtts?|tcp|wss?):\/\//, 'an mqtt://, mqtts://, ws:// or wss:// URL')
    .default('mqtt://127.0.0.1:1883'),
  uitd: z
    .string()
    .regex(/^[^:]+:\d{1,5}$/, 'host:port')
    .transform((v) => ({
      host: v.slice(0, v.lastIndexOf(':')),
      port: Number(v.slice(v.lastIndexOf(':') + 1)),
    }))
    .optional(),
  onenetUrl: z.url().optional(),
  onenetToken: z.string().min(1).optional(),
  username: z.string().default('admin'),
  password: z.string().optional(),
  scenario: z.string().optional(),
  fleet: z.string().optional(),
  saveFleet: z.string().optional(),
  homes: intText(0, 100_000).optional(),
  institutions: intText(0, 1_000).optional(),
  homeDevices: countsText,
  residents: intText(0, 10_000).optional(),
  residentDevices: countsText,
  zoneDevices: countsText,
  telemetryInterval: durationMs().pipe(z.number().min(100)).default(60_000),
  telemetryQos: z.coerce
    .number()
    .pipe(z.union([z.literal(0), z.literal(1)]))
    .default(1),
  drainFactor: z.coerce.number().min(0).default(1),
  eventRate: z.coerce.number().min(0).default(0),
  duration: durationMs().optional(),
  seed: intText(0, 2 ** 32 - 1).default(1),
  scale: z.coerce.number().gt(0).max(100).default(1),
  timeScale: z.coerce.number().gt(0).max(100).default(1),
  settle: durationMs().default(30_000),
  concurrency: intText(1, 1_000).default(50),
  json: z.string().optional(),
  progress: z.boolean().optional(),
})
export type SimOptions = z.output<typeof simOptionsSchema>

export function buildCommand(): Command {
  return new Command('sim')
    .description(
      'Drive a hub with simulated homes and institutions: provision a fleet over the HTTP API (or reuse a saved\n' +
        'one), connect it over MQTT, send telemetry and events, run a scenario file, and report what came back.',
    )
    .option('--api <url>', "the hub's HTTP base URL", 'http://127.0.0.1:8080')
    .option('--mqtt <url>', "the hub's MQTT URL", 'mqtt://127.0.0.1:1883')
    .option('--uitd <host:port>', "the hub's UITD_PORT, for fleets with UITDs (e.g. 127.0.0.1:9026)")
    .option('--onenet-url <url>', 'the OneNET push callback (default: <api>/api/v1/ingest/onenet)')
    .option(
      '--onenet-token <token>',
      'ONENET_PUSH_TOKEN, signs pushes of OneNET devices (default: $ONENET_PUSH_TOKEN)',
    )
    .option('-u, --username <name>', 'API user', 'admin')
    .option('-p, --password <password>', 'API password (default: $HUB_ADMIN_PASSWORD)')
    .option('-s, --scenario <file>', 'a scenario (YAML or JSON) to run and check; see simulators/scenarios/')
    .option('--fleet <file>', 'reuse the fleet saved in this file instead of provisioning one')
    .option('--save-fleet <file>', 'save the provisioned fleet (with device secrets, mode 0600)')
    .option('--homes <n>', 'homes, one resident each (default 20, or the scenario’s)')
    .option('--institutions <n>', 'care institutions (default 2, or the scenario’s)')
    .option('--home-devices <type=n,…>', 'devices per home', undefined)
    .option('--residents <n>', 'residents per institution (default 10)')
    .option('--resident-devices <type=n,…>', 'devices per institution resident')
    .option('--zone-devices <type=n,…>', 'devices per fire zone (default smoke-detector=2)')
    .option('--telemetry-interval <duration>', 'each device reports this often', '60s')
    .option('--telemetry-qos <0|1>', 'QoS of telemetry', '1')
    .option('--drain-factor <x>', 'battery drain speed-up (the profile’s drain per day × x)', '1')
    .option('--event-rate <n>', 'random events per minute across the fleet', '0')
    .option('-d, --duration <duration>', 'how long to run (default: 60s, or until the scenario’s last step)')
    .option('--seed <n>', 'random seed: the same seed picks the same devices and timings', '1')
    .option('--scale <x>', 'multiply fleet sizes and selector counts (e.g. 0.1 for a quick run)', '1')
    .option('--time-scale <x>', 'multiply scenario times (e.g. 0.1 runs a 60 s timeline in 6 s)', '1')
    .option('--settle <duration>', 'after the run, wait this long at most for alerts and outcomes', '30s')
    .option('--concurrency <n>', 'HTTP requests and MQTT connects in flight', '50')
    .option('--json <file>', 'also write the report as JSON')
    .option('--progress', 'show a progress bar (default when stderr is a terminal)')
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      '\nExit status: 0 when every message was acknowledged, every expected alert seen and every expected\n' +
        'outcome met; 1 when not; 2 on bad options, a bad scenario or fleet file, or a hub that cannot be used.',
    )
}

/** Parses argv (without node and the script). */
export function parseOptions(argv: string[]): SimOptions {
  return parseCommand(buildCommand(), argv, simOptionsSchema)
}
