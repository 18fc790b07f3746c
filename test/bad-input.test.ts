// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'

// Bad input is a 4xx in the hub's own error format, never a 500 nor Fastify's format (CONTRACT.md, "HTTP API"):
// the cases issue 13 found.

t.test('bad input answers in the hub format', async (t) => {
  const h = await startTestHub(t)
  const { site, device } = await h.provision('call-button', { kind: 'institution' })
  const raw = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${h.base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', ...init.headers },
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const hubFormat = (
    t: any,
    res: { status: number; body: any },
    status: number,
    code: string,
    what: string,
  ) => {
    t.equal(res.status, status, `${what}: ${status}`)
    t.equal(res.body.error, code, `${what}: ${code}`)
    t.type(res.body.message, 'string')
    t.notOk('statusCode' in res.body || 'code' in res.body, `${what}: not Fastify's format`)
  }

  hubFormat(t, await raw('/api/v1/residents?q=a%00b'), 400, 'HUB_ERR_VALIDATION', 'NUL in a query')
  hubFormat(t, await raw('/api/v1/alerts?type=%00'), 400, 'HUB_ERR_VALIDATION', 'NUL in an alert filter')
  const nulBody = await raw('/api/v1/sites', {
    method: 'POST',
    body: JSON.stringify({ kind: 'home', name: 'a\u0000b', address: 'x' }),
  })
  hubFormat(t, nulBody, 400, 'HUB_ERR_VALIDATION', 'NUL in a body')
  t.equal(nulBody.body.details[0].field, 'body.name', 'naming the field')
  hubFormat(t, await raw(`/api/v1/sites/a%00b`), 400, 'HUB_ERR_VALIDATION', 'NUL in a path')
  hubFormat(
    t,
    await raw(`/api/v1/devices/${device.id}/readings?bucket=0s`),
    400,
    'HUB_ERR_VALIDATION',
    'bucket=0s',
  )
  for (const url of ['http://[::1', 'mqtt://', 'http//x', 'javascript:alert(1)']) {
    const res = await raw(`/api/v1/sites/${site.id}/monitoring-centres`, {
      method: 'POST',
      body: JSON.stringify({ name: 'centre', url }),
    })
    hubFormat(t, res, 400, 'HUB_ERR_VALIDATION', `monitoring-centre URL ${url}`)
  }
  hubFormat(t, await raw(`/api/v1/sites/${'x'.repeat(300)}`), 404, 'HUB_ERR_NOT_FOUND', 'a too-long id')
  hubFormat(t, await raw('/api/v1/sites/%E0%A4%A'), 400, 'HUB_ERR_VALIDATION', 'a bad %-escape')
  hubFormat(t, await raw('/api/v1/alerts/%zz'), 400, 'HUB_ERR_VALIDATION', 'a %-escape that is no hex')
  // and nothing else was lost: the hub still answers
  t.equal((await raw(`/api/v1/sites/${site.id}`)).status, 200)
})
