import { parseArgs } from 'node:util'

// Command-line options of `npm run bench`.

export interface BenchOptions {
  devices: number
  rate: number
  json?: string
  help: boolean
}

export const USAGE = `Usage: npm run bench -- [options]

Starts a hub in this process (embedded PostgreSQL in a temp folder, or DATABASE_URL when set), provisions
call buttons over the HTTP API, connects them over MQTT and measures, for one SOS per device:
  hub   publish → alert.opened on the live feed, and publish → PUBACK (sent after the commit)
  bare  the same clients against a bare aedes broker: publish → wildcard subscriber, and PUBACK
each once paced and once as a burst of every device at once; then the startup time of
\`node --import tsx src/main.ts\` to the first 200 from /healthz. Everything runs on 127.0.0.1.

Options:
  -n, --devices N   devices (and events per pass)            default 1000, at most 8000
                    (both ends of every connection live in this process: mind ulimit -n)
  -r, --rate R      events per second in the paced passes    default 200
      --json FILE   also write the report as JSON to FILE
  -h, --help        show this help

With DATABASE_URL set, the hub (and the startup runs) use that database and the benchmark's sites,
residents, devices and alerts stay in it.

Exits 0 when every event arrived; 1 when any went missing or a phase failed; 2 on bad options.`

export class UsageError extends Error {}

function positiveNumber(
  name: string,
  raw: string | undefined,
  fallback: number,
  max: number,
  integer: boolean,
) {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${name} must be a ${integer ? 'whole ' : ''}number from 1 to ${max}, not "${raw}"`,
    )
  }
  return n
}

export function parseOptions(args: string[]): BenchOptions {
  let values: { devices?: string; rate?: string; json?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        devices: { type: 'string', short: 'n' },
        rate: { type: 'string', short: 'r' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (values.json === '') throw new UsageError('--json needs a file name')
  return {
    devices: positiveNumber('devices', values.devices, 1000, 8_000, true),
    rate: positiveNumber('rate', values.rate, 200, 100_000, false),
    json: values.json,
    help: values.help ?? false,
  }
}
