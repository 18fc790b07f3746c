import t from 'tap'
import { tileSource } from '../src/http/security-headers.js'
import { startTestHub } from './fixtures/hub.js'

// Security headers on every answer, HSTS only over HTTPS (tls.test.ts), and CORS only for configured origins.

t.test('the map tile host in the content security policy', async (t) => {
  t.equal(tileSource('https://tile.openstreetmap.org/{z}/{x}/{y}.png'), 'https://tile.openstreetmap.org')
  t.equal(tileSource('https://{s}.tile.example/{z}/{x}/{y}.png'), 'https://*.tile.example')
  t.equal(tileSource('http://127.0.0.1:9000/{z}/{x}/{y}.png'), 'http://127.0.0.1:9000')
  t.equal(
    tileSource('https://tiles-{s}.example/{z}/{x}/{y}.png'),
    'https:',
    'a placeholder mid-label: the scheme',
  )
})

t.test('headers without CORS configured', async (t) => {
  const h = await startTestHub(t, { HUB_MAP_TILES: 'https://{s}.tile.example/{z}/{x}/{y}.png' })
  for (const path of ['/', '/api/v1/auth/me', '/healthz', '/api/v1/nothing']) {
    const res = await fetch(`${h.base}${path}`, { headers: { origin: 'https://evil.example' } })
    const csp = res.headers.get('content-security-policy') ?? ''
    t.match(csp, /default-src 'self'/, `${path}: a CSP`)
    t.match(csp, /frame-ancestors 'none'/)
    t.match(csp, /img-src [^;]*https:\/\/\*\.tile\.example/, 'map tiles allowed from their host')
    t.notMatch(csp, /upgrade-insecure-requests/, 'no upgrade to an HTTPS port that does not exist')
    t.equal(res.headers.get('x-content-type-options'), 'nosniff')
    t.equal(res.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP')
    t.equal(res.headers.get('access-control-allow-origin'), null, `${path}: no CORS`)
  }
  const preflight = await fetch(`${h.base}/api/v1/sites`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  })
  t.equal(preflight.headers.get('access-control-allow-origin'), null, 'a preflight gets no CORS either')
})

t.test('CORS for the configured origins only', async (t) => {
  const h = await startTestHub(t, { HUB_CORS_ORIGINS: 'https://console.example, https://ops.example:8443' })
  const allowed = await fetch(`${h.base}/api/v1/sites`, {
    method: 'OPTIONS',
    headers: { origin: 'https://ops.example:8443', 'access-control-request-method': 'POST' },
  })
  t.equal(allowed.status, 204)
  t.equal(allowed.headers.get('access-control-allow-origin'), 'https://ops.example:8443')
  const other = await fetch(`${h.base}/api/v1/sites`, {
    headers: { origin: 'https://evil.example', authorization: `Bearer ${h.token}` },
  })
  t.equal(other.status, 200)
  t.equal(other.headers.get('access-control-allow-origin'), null, 'another origin gets no CORS header')
})
