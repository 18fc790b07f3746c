import t from 'tap'
import { ensureConsoleBuilt } from './fixtures/browser.js'
import { startTestHub } from './fixtures/hub.js'

// How the hub serves the console: index.html for any console path (uncached, so a new build is picked up),
// hashed assets compressed and cached for good, and API paths still answered by the API.

t.test('the console is served at / and under every console path', async (t) => {
  ensureConsoleBuilt()
  const h = await startTestHub(t)
  for (const path of ['/', '/alerts/alr_x', '/admin/users?x=1']) {
    const res = await fetch(`${h.base}${path}`)
    t.equal(res.status, 200, path)
    t.match(res.headers.get('content-type'), /text\/html/)
    t.equal(res.headers.get('cache-control'), 'no-cache', `${path}: revalidated on every load`)
    const html = await res.text()
    t.match(html, /<div id="app">/)
    if (path === '/') {
      const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1]
      t.ok(script, 'the page names its script')
      const asset = await fetch(`${h.base}${script}`, { headers: { 'accept-encoding': 'br, gzip' } })
      t.equal(asset.status, 200)
      t.equal(asset.headers.get('content-encoding'), 'br', 'pre-compressed')
      t.match(asset.headers.get('cache-control'), /immutable/, 'a hashed asset is cached for good')
      t.match(asset.headers.get('content-type'), /javascript/)
    }
  }
  const api = await fetch(`${h.base}/api/v1/no-such-thing`)
  t.equal(api.status, 404, 'an unknown API path is still the API 404')
  t.match(await api.json(), { error: 'HUB_ERR_NOT_FOUND' })
  t.equal((await fetch(`${h.base}/assets/missing.js`)).status, 404, 'a missing asset is 404, not the page')
  t.equal((await fetch(`${h.base}/healthz`)).status, 200, 'health stays where it was')
})
