import { Command } from 'commander'
import { z } from 'zod'
import { parseCommand } from '../lib/cli.js'
import { durationMs } from '../lib/duration.js'

// Command-line options of `npm run bench`, parsed by commander and validated by one zod schema.

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const schema = z.object({
  devices: int(1, 20_000),
  rounds: int(1, 20),
  probes: int(1, 10_000),
  probeRate: z.coerce.number().gt(0).max(10_000),
  telemetryEvery: durationMs().pipe(z.number().min(100)),
  floodSeconds: z.coerce.number().gt(0).max(600),
  publishers: int(1, 10_000),
  window: int(1, 1_000),
  connectConcurrency: int(1, 10_000),
  json: z.string().optional(),
  startup: z.boolean(),
  stormOnly: z.boolean(),
  flood: z.boolean(),
  floodDevices: int(1, 20_000),
  floodEvery: durationMs().pipe(z.number().min(100)),
})

export type BenchOptions = Omit<z.output<typeof schema>, 'telemetryEvery' | 'floodEvery'> & {
  telemetryEveryMs: number
  floodEveryMs: number
}

export function benchCommand() {
  return new Command('bench')
    .description(
      'Measures the hub against a bare aedes broker, each in a process of its own, in interleaved rounds\n' +
        '(bare, hub, bare, hub, …): connect storm, memory per connection, SOS publish → arrival latency idle and\n' +
        'under telemetry load, and telemetry throughput (hub: rows stored). Prints medians, ranges and\n' +
        'hub/bare ratios; writes the JSON report. With DATABASE_URL the hub uses that database, else an\n' +
        'embedded PostgreSQL in a temp folder. Everything runs on 127.0.0.1.',
    )
    .option(
      '-n, --devices <n>',
      'call buttons connected (mind ulimit -n: about n + 100 per process)',
      '10000',
    )
    .option('--rounds <n>', 'rounds per target', '3')
    .option('--probes <n>', 'SOS probes per latency pass (each from its own device)', '200')
    .option('--probe-rate <n>', 'SOS probes per second', '50')
    .option(
      '--telemetry-every <duration>',
      'each device sends one QoS 1 reading this often during the loaded pass',
      '5s',
    )
    .option('--flood-seconds <n>', 'length of the throughput flood', '10')
    .option('--publishers <n>', 'devices publishing during the flood', '100')
    .option('--window <n>', 'QoS 1 messages each flooding device keeps in flight', '10')
    .option('--connect-concurrency <n>', 'MQTT connects in flight', '500')
    .option('--json <file>', 'where to write the report (default simulators/results/<date>.json)')
    .option('--no-startup', 'skip timing `npm start` to a healthy /healthz')
    .option('--storm-only', 'instead: only the connect storm, --rounds times per target', false)
    .option(
      '--flood',
      'instead: SOS and smoke alarms (--probes each, at --probe-rate/s) on a quiet server, then under a telemetry\n' +
        'flood from a process of its own; hub: SOS → alert.opened and smoke → the monitoring centre',
      false,
    )
    .option('--flood-devices <n>', 'with --flood: devices in the flood process', '5000')
    .option(
      '--flood-every <duration>',
      'with --flood: each flood device sends one QoS 1 reading this often',
      '1s',
    )
}

export function parseOptions(argv: string[]): BenchOptions {
  const { telemetryEvery, floodEvery, ...rest } = parseCommand(benchCommand(), argv, schema)
  const o = { ...rest, telemetryEveryMs: telemetryEvery, floodEveryMs: floodEvery }
  if (o.flood) return o // its alarm devices are provisioned apart from --devices
  const needed = 2 * o.rounds * o.probes
  if (needed > o.devices) o.probes = Math.max(1, Math.floor(o.devices / (2 * o.rounds)))
  if (o.publishers > o.devices) o.publishers = o.devices
  return o
}
