// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import { createServer } from 'node:http'
import t from 'tap'
import { launchBrowser, logIn, newPage, screenshot } from './fixtures/browser.js'
import { ADMIN_PASSWORD, startTestHub } from './fixtures/hub.js'

// An institution's officer: the detector board shows each detector where it is and in its state, a self-test
// sent from it follows the live feed to done (a real device answers over MQTT); and with HUB_MAP_TILES set,
// the map loads its tiles from that server and no other.

/** A tile server on loopback: every tile is the same 1 × 1 PNG; requests are counted. */
async function tileServer(t: { teardown(fn: () => unknown): void }) {
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  )
  const paths: string[] = []
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' }).end(png)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, paths }
}

t.test('the detector board, a self-test followed to done, and map tiles when configured', async (t) => {
  const tiles = await tileServer(t)
  const h = await startTestHub(t, { HUB_MAP_TILES: `${tiles.url}/{z}/{x}/{y}.png` })
  const browser = await launchBrowser(t)
  const site = await h.create('/api/v1/sites', {
    kind: 'institution',
    name: '夕阳红护理院',
    address: '杭州市 8 号',
    lat: 30.27,
    lon: 120.15,
  })
  const [quiet, burning] = await Promise.all(
    ['101', '102'].map((room) =>
      h.create('/api/v1/devices', {
        type: 'smoke-detector',
        siteId: site.id,
        location: { building: 'B', floor: '2', zone: 'Z2', room },
      }),
    ),
  )
  const quietDevice = await h.connectDevice(quiet)
  await quietDevice.answerCommands()
  await quietDevice.telemetry({ battery: 87 })
  await (await h.connectDevice(burning)).event('smoke', { obscuration: 20 })

  const { page, errors } = await newPage(browser)
  await logIn(page, h.base, 'admin', ADMIN_PASSWORD, '/institutions')
  await page.locator(`li.det[data-device-id="${burning.id}"][data-state=alarm]`).waitFor()
  const row = page.locator(`li.det[data-device-id="${quiet.id}"]`)
  t.equal(await row.getAttribute('data-state'), 'normal', 'the other detector is normal')
  t.match(await page.locator('[data-testid=detector-board]').innerText(), /楼 B[\s\S]*层 2[\s\S]*防火分区 Z2/)

  await row.getByRole('button', { name: '自检' }).click()
  await row.locator('[data-testid=command-state][data-state=done]').waitFor()
  const commands = (await h.api('GET', `/api/v1/devices/${quiet.id}/commands`, undefined, h.token)).body.items
  t.equal(commands[0]?.state, 'done', 'the hub recorded the self-test as done')
  await screenshot(page, 'institutions-self-test')

  await page.getByRole('link', { name: '养老地图' }).click()
  await page.locator('[data-testid=map][data-tiles=on]').waitFor()
  await page.locator('[data-testid=map] img.leaflet-tile-loaded').first().waitFor()
  t.ok(tiles.paths.length > 0, `tiles came from the configured server (${tiles.paths.length})`)
  t.ok(
    tiles.paths.every((p) => /^\/\d+\/\d+\/\d+\.png$/.test(p)),
    'in the {z}/{x}/{y} form',
  )
  t.same(errors, [], 'no script errors')
})
