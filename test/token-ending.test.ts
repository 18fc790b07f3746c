import t from 'tap'
import WebSocket from 'ws'
import { LiveClose } from '../src/contract/live.js'
import { startTestHub } from './fixtures/hub.js'
import { openLive } from './fixtures/live.js'
import { addUser } from './fixtures/people.js'

// CONTRACT: a password change, disabling and logout end the user's tokens; re-enabling does not revive them.
// Two hub processes share one database, so an ending seen by one must hold on the other.

t.test('logout, password change and disabling end tokens on every hub', async (t) => {
  const a = await startTestHub(t)
  const b = await startTestHub(t, { DATABASE_URL: a.hub.databaseUrl })
  const { api } = a

  /** The live-feed upgrade's answer for a token on one hub: 101 (open) or the refusal's status. */
  const upgradeStatus = (port: number, token: string) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live?token=${token}`)
      ws.once('open', () => {
        ws.terminate()
        resolve(101)
      })
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate()
        resolve(res.statusCode ?? 0)
      })
      ws.once('error', reject)
    })
  const meStatus = async (base: 'a' | 'b', token: string) =>
    (await (base === 'a' ? a : b).api('GET', '/api/v1/auth/me', undefined, token)).status

  await t.test('logout ends that token only, on both hubs, HTTP and WebSocket', async (t) => {
    const u = await addUser(a, 'operator')
    const other = await b.login(u.username, u.password)
    const feed = await openLive(t, a.hub.httpPort, u.token)
    const otherFeed = await openLive(t, a.hub.httpPort, other)

    const out = await api('POST', '/api/v1/auth/logout', undefined, u.token)
    t.equal(out.status, 204)
    t.equal(out.body, '', 'no body')
    t.equal(await feed.waitForClose(), LiveClose.accountChanged, 'its open live feed closes')
    for (const hub of ['a', 'b'] as const) t.equal(await meStatus(hub, u.token), 401, `401 on hub ${hub}`)
    t.equal(await upgradeStatus(a.hub.httpPort, u.token), 401, 'the live-feed upgrade refuses it')
    t.equal(await upgradeStatus(b.hub.httpPort, u.token), 401, 'on the other hub too')
    t.equal((await api('POST', '/api/v1/auth/logout', undefined, u.token)).status, 401, 'no second logout')

    t.equal(await meStatus('b', other), 200, 'the same user’s other token still works')
    t.equal(await upgradeStatus(b.hub.httpPort, other), 101)
    t.equal(otherFeed.closeCode, undefined, 'and its live feed stays open')
    t.equal((await api('POST', '/api/v1/auth/logout')).status, 401, 'logout needs a token')
  })

  await t.test('a password change ends every earlier token, wherever it was issued', async (t) => {
    const u = await addUser(a, 'operator')
    const onB = await b.login(u.username, u.password)
    const feed = await openLive(t, b.hub.httpPort, onB)
    const res = await api('PATCH', `/api/v1/users/${u.user.id}`, { password: 'another-password' }, a.token)
    t.equal(res.status, 200)
    for (const token of [u.token, onB]) {
      t.equal(await meStatus('a', token), 401)
      t.equal(await meStatus('b', token), 401)
      t.equal(await upgradeStatus(a.hub.httpPort, token), 401)
    }
    // hub b's open feed learns of it when it re-authenticates; the upgrade above proves it cannot come back
    t.equal(feed.closeCode, undefined, 'another process keeps its open socket until it reconnects')
    const fresh = await b.login(u.username, 'another-password')
    t.equal(await meStatus('a', fresh), 200, 'a login with the new password works at once')
  })

  await t.test('disabling ends tokens; re-enabling does not revive them', async (t) => {
    const u = await addUser(a, 'operator')
    const feed = await openLive(t, a.hub.httpPort, u.token)
    await api('PATCH', `/api/v1/users/${u.user.id}`, { disabled: true }, a.token)
    t.equal(await feed.waitForClose(), LiveClose.accountChanged)
    t.equal(await meStatus('b', u.token), 401)
    const on = await api('PATCH', `/api/v1/users/${u.user.id}`, { disabled: false }, a.token)
    t.equal(on.body.disabled, false)
    t.equal(await meStatus('a', u.token), 401, 'still ended after re-enabling')
    t.equal(await meStatus('b', u.token), 401)
    t.equal(await upgradeStatus(b.hub.httpPort, u.token), 401)
    t.equal(await meStatus('a', await a.login(u.username, u.password)), 200, 'a new login works')
  })

  await t.test('a role change does not end tokens', async (t) => {
    const u = await addUser(a, 'operator')
    await api('PATCH', `/api/v1/users/${u.user.id}`, { role: 'supervisor', name: 'Wang' }, a.token)
    t.equal((await api('GET', '/api/v1/auth/me', undefined, u.token)).body.role, 'supervisor')
  })

  await t.test('OpenAPI documents logout', async (t) => {
    const doc = await api('GET', '/docs/json')
    t.ok(doc.body.paths['/api/v1/auth/logout']?.post, 'POST /auth/logout is described')
  })
})
