import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ROOT } from './bench/child.js'
import { interrupted, markInterrupted, runAllCleanups, scoped } from './bench/cleanup.js'
import { benchDatabase } from './bench/database.js'
import { runFlood } from './bench/flood-mode.js'
import { floodReport } from './bench/flood-report.js'
import { type BenchOptions, parseOptions } from './bench/options.js'
import { buildReport, formatReport, writeJsonReport } from './bench/report.js'
import { type RoundResult, runRound } from './bench/round.js'
import { benchStartup } from './bench/startup.js'
import { type StormRound, stormReport, stormRound } from './bench/storm.js'
import { startHub } from './bench/targets.js'
import { runCli } from './lib/cli.js'
import { Random } from './lib/random.js'
import { errorMessage } from './lib/util.js'
import { type FleetDevice, fleetSpecSchema, provisionFleet } from './sim/fleet.js'

// `npm run bench`: the hub against a bare aedes baseline, each alone in a child process, same clients,
// same load, interleaved rounds; then the hub's startup time. See `npm run bench -- --help`.

const progress = (line: string) => console.error(`· ${line}`)

async function measure(o: BenchOptions, problems: string[]) {
  return scoped(async (cleanup) => {
    const db = await benchDatabase(cleanup)
    progress(`provisioning ${o.devices} call buttons over the HTTP API…`)
    const fleet = await scoped(async (c) => {
      const hub = await startHub(db.url, c)
      const spec = fleetSpecSchema.parse({
        homes: o.devices,
        institutions: 0,
        homeDevices: { 'call-button': 1 },
      })
      const f = await provisionFleet(hub.api, spec, new Random(1), 50, 'Bench')
      await hub.stop()
      return f.devices
    })
    if (o.stormOnly) return { storm: await storm(o, fleet, db.url), rounds: [], database: db.label }
    const rounds: RoundResult[] = []
    for (let round = 0; round < o.rounds && !interrupted(); round++) {
      for (const kind of ['bare', 'hub'] as const) {
        if (interrupted()) break
        try {
          rounds.push(
            await scoped((c) => runRound(kind, round, fleet, { ...o, databaseUrl: db.url }, c, progress)),
          )
        } catch (err) {
          problems.push(`${kind} round ${round} failed: ${errorMessage(err)}`)
          progress(`${kind} round ${round} FAILED: ${errorMessage(err)}`)
        }
      }
    }
    return { storm: [], rounds, database: db.label }
  })
}

/** `--storm-only`: the connect storm alone, bare then hub, in interleaved rounds. */
async function storm(o: BenchOptions, fleet: FleetDevice[], databaseUrl: string) {
  const rounds: StormRound[] = []
  for (let round = 0; round < o.rounds && !interrupted(); round++) {
    for (const kind of ['bare', 'hub'] as const) {
      const r = await scoped((c) => stormRound(kind, round, fleet, { ...o, databaseUrl }, c))
      progress(`${kind} round ${round}: ${r.devices} devices connected in ${r.ms.toFixed(0)} ms`)
      rounds.push(r)
    }
  }
  return rounds
}

/** `--flood`: alarms quiet and under a telemetry flood, bare then hub; its own report. */
async function floodMain(o: BenchOptions): Promise<number> {
  const rounds = await scoped(async (cleanup) => {
    const db = await benchDatabase(cleanup)
    return runFlood({ ...o, databaseUrl: db.url }, cleanup, progress)
  })
  if (interrupted()) return 130
  const report = floodReport(o, rounds)
  console.log(report.text)
  const date = new Date().toISOString().slice(0, 10)
  const file = o.json ?? path.join(ROOT, 'simulators', 'results', `flood-${date}.json`)
  await writeFile(file, `${JSON.stringify({ options: o, targets: report.targets, rounds }, null, 2)}\n`)
  progress(`report written to ${path.relative(process.cwd(), file)}`)
  return report.ok ? 0 : 1
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2))
  if (o.flood) return floodMain(o)
  const problems: string[] = []
  const { storm: stormRounds, rounds, database: label } = await measure(o, problems)
  if (o.stormOnly) {
    if (interrupted()) return 130
    const report = stormReport(stormRounds, o.devices)
    console.log(report.text)
    const file =
      o.json ??
      path.join(ROOT, 'simulators', 'results', `storm-${new Date().toISOString().slice(0, 10)}.json`)
    await writeFile(
      file,
      `${JSON.stringify({ options: o, database: label, rounds: stormRounds }, null, 2)}\n`,
    )
    progress(`report written to ${path.relative(process.cwd(), file)}`)
    return stormRounds.every((r) => r.devices === o.devices) ? 0 : 1
  }
  const startup =
    o.startup && !interrupted()
      ? await benchStartup(progress).catch((err) => {
          problems.push(`startup failed: ${errorMessage(err)}`)
          return undefined
        })
      : undefined
  if (interrupted()) return 130
  const report = buildReport(o, label, rounds, startup, problems)
  console.log(formatReport(report))
  const file = o.json ?? path.join(ROOT, 'simulators', 'results', `${report.generatedAt.slice(0, 10)}.json`)
  await writeJsonReport(file, report)
  progress(`report written to ${path.relative(process.cwd(), file)}`)
  return report.ok ? 0 : 1
}

// On a signal, tidy up at once (which also makes the running phase fail fast) and skip the later phases.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    markInterrupted(signal)
    progress(`${signal}: cleaning up`)
    void runAllCleanups().finally(() => process.exit(130))
  })
}

runCli('bench', () => main().finally(() => runAllCleanups()))
