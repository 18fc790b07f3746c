import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { ADMIN_PASSWORD } from './fixtures/hub.js'
import { spawnHub } from './fixtures/process.js'

// Configuration (CONTRACT.md, "Configuration"): loadConfig itself, then the process's exit codes.

/** loadConfig's error, or a failure if it did not throw one. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('loadConfig accepted a bad configuration')
}

const problemFor = (err: ConfigError, variable: string) => err.problems.find((p) => p.startsWith(variable))

t.test('defaults', async (t) => {
  const c = loadConfig({})
  t.equal(c.HTTP_PORT, 8080)
  t.equal(c.HTTP_HOST, '0.0.0.0')
  t.equal(c.MQTT_PORT, 1883)
  t.equal(c.HUB_TOKEN_TTL, 12 * 3_600_000, '12h in milliseconds')
  t.equal(c.HUB_DEDUPE_WINDOW, 24 * 3_600_000, 'a retransmission is recognised for 24 h')
  t.equal(c.DATA_DIR, path.resolve('./var'), 'DATA_DIR defaults to ./var, made absolute')
  t.equal(c.DATABASE_URL, undefined, 'no DATABASE_URL: the embedded PostgreSQL')
  t.equal(c.MQTT_URL, undefined, 'no MQTT_URL: the embedded broker')
  t.equal(c.SMTP_FROM, 'hub@localhost')
  t.equal(c.HUB_PUBLIC_URL, 'http://localhost:8080', 'a wildcard host becomes localhost in links')
  t.equal(
    loadConfig({ HTTP_HOST: '127.0.0.1', HTTP_PORT: '9000' }).HUB_PUBLIC_URL,
    'http://127.0.0.1:9000',
    'HUB_PUBLIC_URL is derived from HTTP_HOST and HTTP_PORT',
  )
  t.equal(
    loadConfig({ HUB_PUBLIC_URL: 'https://care.example.org' }).HUB_PUBLIC_URL,
    'https://care.example.org',
    'an explicit HUB_PUBLIC_URL wins',
  )
})

t.test('durations', async (t) => {
  t.equal(loadConfig({ HUB_TOKEN_TTL: '90s' }).HUB_TOKEN_TTL, 90_000)
  t.equal(loadConfig({ HUB_TOKEN_TTL: '15m' }).HUB_TOKEN_TTL, 15 * 60_000)
  t.equal(loadConfig({ HUB_TOKEN_TTL: '7d' }).HUB_TOKEN_TTL, 7 * 86_400_000)
})

t.test('every bad variable is named at once', async (t) => {
  const err = configError({
    HTTP_PORT: 'abc',
    MQTT_PORT: '70000',
    HUB_TOKEN_TTL: 'soon',
    DATABASE_URL: 'mysql://x',
  })
  for (const variable of ['HTTP_PORT', 'MQTT_PORT', 'HUB_TOKEN_TTL', 'DATABASE_URL']) {
    t.ok(problemFor(err, variable), `${variable} is named in .problems`)
    t.match(err.message, variable, `${variable} is named in the message`)
  }
  t.same(
    err.problems.filter((p) => !/^(HTTP_PORT|MQTT_PORT|HUB_TOKEN_TTL|DATABASE_URL)\b/.test(p)),
    [],
    'no other variable is blamed',
  )
})

t.test('MQTT_URL selects the external broker; its instance id and auth token are checked', async (t) => {
  const c = loadConfig({ MQTT_URL: 'mqtt://broker.example.org:1883', HUB_INSTANCE_ID: 'hub-a' })
  t.equal(c.MQTT_URL, 'mqtt://broker.example.org:1883')
  t.equal(c.HUB_INSTANCE_ID, 'hub-a')
  const err = configError({ MQTT_URL: 'http://x', HUB_INSTANCE_ID: 'a b', HUB_BROKER_AUTH_TOKEN: 'short' })
  for (const v of ['MQTT_URL', 'HUB_INSTANCE_ID', 'HUB_BROKER_AUTH_TOKEN']) t.ok(problemFor(err, v), v)
})

t.test('an empty variable counts as unset', async (t) => {
  const c = loadConfig({
    HTTP_PORT: '',
    MQTT_PORT: '',
    HUB_TOKEN_TTL: '',
    DATABASE_URL: '',
    MQTT_URL: '',
    HUB_ADMIN_PASSWORD: '',
    DATA_DIR: '',
  })
  t.equal(c.HTTP_PORT, 8080)
  t.equal(c.MQTT_PORT, 1883)
  t.equal(c.HUB_TOKEN_TTL, 12 * 3_600_000)
  t.equal(c.DATABASE_URL, undefined)
  t.equal(c.MQTT_URL, undefined)
  t.equal(c.HUB_ADMIN_PASSWORD, undefined)
  t.equal(c.DATA_DIR, path.resolve('./var'))
})

t.test('the process exits with code 2 and names every bad variable', async (t) => {
  const hub = spawnHub(t, {
    DATA_DIR: await tempDataDir(t),
    HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: 'abc',
    MQTT_PORT: '0',
    HUB_TOKEN_TTL: 'soon',
  })
  t.same(await hub.waitExit(30_000), { code: 2, signal: null })
  t.match(hub.stderr, /HTTP_PORT/)
  t.match(hub.stderr, /HUB_TOKEN_TTL/)
  t.notMatch(hub.stderr, /MQTT_PORT/, 'a good variable is not blamed')
  t.notMatch(hub.stdout, /hub is running/)
})

const notRoot =
  process.getuid?.() !== 0 && 'only as root does the embedded PostgreSQL run as another user (postgres)'

t.test(
  'as root, a DATA_DIR the postgres user cannot reach makes the process exit with code 3',
  { skip: notRoot },
  async (t) => {
    const closed = await mkdtemp(path.join(tmpdir(), 'hub-closed-')) // mode 0700
    t.teardown(() => rm(closed, { recursive: true, force: true }))
    const dataDir = path.join(closed, 'var')
    const hub = spawnHub(t, {
      DATA_DIR: dataDir,
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      MQTT_PORT: '0',
    })
    t.same(await hub.waitExit(30_000), { code: 3, signal: null })
    t.match(hub.stderr, dataDir, 'the message names the folder')
    t.match(hub.stderr, /not reachable by the '?postgres'? user/)
    t.match(hub.stderr, /DATA_DIR/, 'it says what to set')
    t.match(hub.stderr, /DATABASE_URL/, 'or how to avoid the embedded database')
    t.notMatch(hub.stdout, /hub is running/)
  },
)
