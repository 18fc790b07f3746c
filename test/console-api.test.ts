import { readFile } from 'node:fs/promises'
import { pino } from 'pino'
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { startTestHub } from './fixtures/hub.js'

// What the console reads besides alerts: its configuration, and searches over the admin lists.

const TILES = 'https://{s}.tile.example.org/{z}/{x}/{y}.png'

t.test('HUB_MAP_TILES and HUB_PUBLIC_URL in the configuration', async (t) => {
  t.equal(loadConfig({}).HUB_MAP_TILES, undefined, 'no tiles by default: the console stays offline')
  t.equal(loadConfig({ HUB_MAP_TILES: TILES }).HUB_MAP_TILES, TILES, 'a {s} host placeholder is fine')
  for (const bad of ['https://tiles.example.org/{z}/{x}.png', 'ftp://tiles.example.org/{z}/{x}/{y}.png']) {
    t.throws(() => loadConfig({ HUB_MAP_TILES: bad }), /HUB_MAP_TILES: an http\(s\) URL template/, bad)
  }
  t.equal(loadConfig({}).publicUrlDefaulted, true)
  t.equal(loadConfig({ HUB_PUBLIC_URL: 'https://care.example.org' }).publicUrlDefaulted, false)
})

t.test('the console API', async (t) => {
  const logged: { level: number; msg: string }[] = []
  const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) })
  const h = await startTestHub(t, { HUB_MAP_TILES: TILES }, log)

  await t.test('a hub without HUB_PUBLIC_URL warns at start', async (t) => {
    const warning = logged.find((l) => l.msg.includes('HUB_PUBLIC_URL is not set'))
    t.ok(warning, 'the warning names the variable')
    t.equal(warning?.level, 40, 'at warn level')
  })

  await t.test('GET /console/config', async (t) => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
    const res = await h.api('GET', '/api/v1/console/config', undefined, h.token)
    t.equal(res.status, 200)
    t.same(res.body, { mapTiles: TILES, version, defaultLanguage: 'zh-CN' })
    const anon = await h.api('GET', '/api/v1/console/config')
    t.equal(anon.status, 401, 'only for signed-in users')
    t.equal(anon.body.error, 'HUB_ERR_UNAUTHORIZED')
  })
})
