// biome-ignore-all lint/suspicious/noExplicitAny: the compose file is read as loose YAML
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { parse } from 'yaml'
import { ROOT } from './fixtures/process.js'

// The production compose file: what the README's deployment section promises. No engine runs here; where the
// Compose CLI exists, `docker compose config` validates it too.

const text = readFileSync(`${ROOT}/docker-compose.yml`, 'utf8')
const compose = parse(text, { merge: true }) as any

t.test(
  'TimescaleDB 2.28, EMQX, two hub instances behind a load balancer, secrets from the environment',
  async (t) => {
    const s = compose.services
    t.match(
      s.timescaledb.image,
      /^timescale\/timescaledb:2\.28\.\d+-pg\d+$/,
      'TimescaleDB pinned to the 2.28 line',
    )
    t.match(s.emqx.image, /^emqx\/emqx:5\.\d+\.\d+$/, 'EMQX pinned')
    t.ok(s.lb, 'a load balancer')
    const hubs = ['hub-a', 'hub-b'].map((n) => s[n].environment)
    t.not(hubs[0].HUB_INSTANCE_ID, hubs[1].HUB_INSTANCE_ID, 'each instance its own client id')
    for (const [i, env] of hubs.entries()) {
      t.match(
        env.MQTT_URL,
        /^mqtt:\/\/eldercare-hub:\$\{HUB_BROKER_AUTH_TOKEN/,
        `hub ${i}: external-broker mode`,
      )
      t.match(env.DATABASE_URL, /@timescaledb:5432\//, `hub ${i}: the shared database`)
      for (const secret of ['HUB_SECRET_KEY', 'HUB_ADMIN_PASSWORD', 'HUB_BROKER_AUTH_TOKEN']) {
        t.match(String(env[secret]), /^\$\{/, `hub ${i}: ${secret} from the environment`)
      }
    }
    for (const name of ['timescaledb', 'emqx', 'hub-a', 'hub-b'])
      t.ok(s[name].healthcheck?.test, `${name} has a health check`)
    t.ok(
      compose.volumes['timescale-data'] !== undefined && compose.volumes['emqx-data'] !== undefined,
      'named volumes',
    )
    const lb = readFileSync(`${ROOT}/deploy/haproxy/haproxy.cfg`, 'utf8')
    t.match(lb, /server hub-a hub-a:8080 check/)
    t.match(lb, /server hub-b hub-b:8080 check/)
    t.notMatch(lb, /^\s*(cookie|stick|balance source)/m, 'not sticky: any instance serves any client')
    const emqx = readFileSync(`${ROOT}/deploy/emqx/emqx.conf`, 'utf8')
    t.match(emqx, /url = "http:\/\/lb:8080\/api\/v1\/broker\/auth"/)
    t.match(emqx, /url = "http:\/\/lb:8080\/api\/v1\/broker\/acl"/)
  },
)

const hasCompose = (() => {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

t.test(
  'docker compose config accepts it',
  { skip: hasCompose ? false : 'no Docker Compose CLI here' },
  async (t) => {
    const env = {
      ...process.env,
      POSTGRES_PASSWORD: 'x',
      HUB_ADMIN_PASSWORD: 'admin-password',
      HUB_SECRET_KEY: 'k'.repeat(32),
      HUB_BROKER_AUTH_TOKEN: 'a'.repeat(32),
    }
    execFileSync('docker', ['compose', 'config', '-q'], { cwd: ROOT, env })
    t.pass('valid')
  },
)
