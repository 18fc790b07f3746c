import { benchBare } from './bench/bare-broker.js'
import { interrupted, markInterrupted, runAllCleanups } from './bench/cleanup.js'
import { benchHub, type RunOptions } from './bench/hub-run.js'
import { parseOptions, USAGE, UsageError } from './bench/options.js'
import { buildReport, formatReport, writeJsonReport } from './bench/report.js'
import { benchStartup } from './bench/startup.js'
import { errorMessage } from './bench/util.js'

// `npm run bench`: the hub against a bare aedes baseline, same clients, same pacing, same machine, then the
// hub's startup time. See `npm run bench -- --help`.

const progress = (line: string) => console.error(`· ${line}`)

async function main(): Promise<number> {
  let opts: ReturnType<typeof parseOptions>
  try {
    opts = parseOptions(process.argv.slice(2))
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`bench: ${err.message}\n\n${USAGE}`)
    return 2
  }
  if (opts.help) {
    console.log(USAGE)
    return 0
  }
  const run: RunOptions = {
    devices: opts.devices,
    rate: opts.rate,
    settleMs: 60_000,
    httpConcurrency: 20,
    connectConcurrency: 50,
  }
  const problems: string[] = []
  // A phase that fails is reported and the next still runs; its own cleanup has already happened.
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    if (interrupted()) return undefined
    progress(`${name}…`)
    try {
      return await fn()
    } catch (err) {
      problems.push(`${name} failed: ${errorMessage(err)}`)
      progress(`${name} FAILED: ${errorMessage(err)}`)
      return undefined
    }
  }
  const hub = await phase('hub', () => benchHub(run, progress))
  const bare = await phase('bare aedes baseline', () => benchBare(run, progress))
  const startup = await phase('startup', () => benchStartup(progress))
  if (interrupted()) return 130

  const report = buildReport(opts, { hub, bare, startup }, problems)
  console.log(formatReport(report))
  if (opts.json) {
    await writeJsonReport(opts.json, report)
    progress(`report written to ${opts.json}`)
  }
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

const exit = (code: number) => runAllCleanups().finally(() => process.exit(interrupted() ? 130 : code))
main().then(exit, (err) => {
  console.error('bench failed:', err)
  return exit(1)
})
