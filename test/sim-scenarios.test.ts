import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { parse, stringify } from 'yaml'
import { simOptionsSchema } from '../simulators/sim/options.js'
import { runSimulation } from '../simulators/sim/run.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'
import { ROOT } from './fixtures/process.js'

// Every example scenario runs at small scale against one test hub and meets its expected outcomes; a
// scenario whose expectation is wrong makes the CLI exit non-zero.

const SCENARIOS = path.join(ROOT, 'simulators', 'scenarios')
/** CI scale per scenario (fleet sizes and selector counts); the rest run as written */
const CI_SCALE: Record<string, number> = {
  'sos-burst.yaml': 0.1,
  'power-loss.yaml': 0.2,
  'network-flap.yaml': 0.4,
}
const TIME_SCALE = 0.1

/** Runs the CLI as a user would; resolves with its exit status and output (bounded in time). */
function cli(args: string[], ms = 90_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulators/sim.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HUB_ADMIN_PASSWORD: ADMIN_PASSWORD },
    })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (out += c))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`sim ${args.join(' ')}: no exit within ${ms} ms\n${out}`))
    }, ms)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

t.test('example scenarios', async (t) => {
  const h = await startTestHub(t)
  const files = (await readdir(SCENARIOS)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()
  t.ok(files.length >= 7, 'the examples are there')
  for (const file of files) {
    await t.test(file, async (t) => {
      const report = await runSimulation(
        simOptionsSchema.parse({
          api: h.base,
          mqtt: h.mqttUrl,
          password: ADMIN_PASSWORD,
          scenario: path.join(SCENARIOS, file),
          scale: CI_SCALE[file] ?? 1,
          timeScale: TIME_SCALE,
          telemetryInterval: '2s',
          settle: '30s',
          progress: false,
        }),
      )
      t.ok(report.expectations.length > 0, 'the scenario states expected outcomes')
      for (const e of report.expectations) t.ok(e.ok, e.expectation, { problems: e.problems })
      t.same(report.errors, {}, 'no errors')
      t.equal(report.alerts.seen, report.alerts.expected, 'every alert expected was seen')
      t.ok(report.ok)
    })
  }

  await t.test('the CLI exits 1 when an expectation is wrong, 2 when the scenario is bad', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-cli-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const scenario = parse(await readFile(path.join(SCENARIOS, 'fall-then-sos.yaml'), 'utf8'))
    scenario.expect[1].alerts.priority = 1 // an SOS is priority 2
    const wrong = path.join(dir, 'wrong.yaml')
    await writeFile(wrong, stringify(scenario))
    const common = [
      '--api',
      h.base,
      '--mqtt',
      h.mqttUrl,
      '--time-scale',
      String(TIME_SCALE),
      '--settle',
      '3s',
    ]
    const failed = await cli([...common, '--scenario', wrong, '--json', path.join(dir, 'r.json')])
    t.equal(failed.code, 1, 'exit status 1')
    t.match(failed.out, /FAIL alerts .*"priority":1/)
    t.match(failed.out, /priority 2, expected 1/)
    const json = JSON.parse(await readFile(path.join(dir, 'r.json'), 'utf8'))
    t.same(
      json.expectations.map((e: { ok: boolean }) => e.ok),
      [true, false, true],
      'only the wrong expectation failed',
    )

    const bad = path.join(dir, 'bad.yaml')
    await writeFile(bad, 'name: bad\nsteps: []\n')
    const refused = await cli([...common, '--scenario', bad])
    t.equal(refused.code, 2)
    t.match(refused.out, /steps/)
  })
})

t.test('--help describes the options and exits 0', async (t) => {
  const help = await cli(['--help'])
  t.equal(help.code, 0)
  for (const option of [
    '--scenario',
    '--homes',
    '--institutions',
    '--telemetry-interval',
    '--seed',
    '--json',
  ])
    t.match(help.out, option)
})
