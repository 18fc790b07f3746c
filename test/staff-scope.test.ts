// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { LiveClose } from '../src/contract/live.js'
import { startTestHub } from './fixtures/hub.js'
import { openLive } from './fixtures/live.js'
import { addUser } from './fixtures/people.js'

// Staff see and act on their own sites only; operators and supervisors see everything.

t.test('staff scoping', async (t) => {
  const h = await startTestHub(t)
  const { api } = h
  const mine = await h.provision('call-button', { kind: 'institution' })
  const theirs = await h.provision('call-button', { kind: 'institution' })
  const staff = await addUser(h, 'staff', { siteIds: [mine.site.id] })
  const op = await addUser(h, 'operator')
  const adminFeed = await h.live()
  const staffFeed = await openLive(t, h.hub.httpPort, staff.token)

  // their alert first, then mine: the feed is in seq order, so a staff client that got theirs would get it first
  await (await h.connectDevice(theirs.device)).event('sos')
  await adminFeed.waitFor((m) => m.data.siteId === theirs.site.id)
  await (await h.connectDevice(mine.device)).event('sos')
  const opened = await staffFeed.waitFor((m) => m.kind === 'alert.opened')
  const theirAlert = adminFeed.messages.find((m) => m.data.siteId === theirs.site.id)!.data.id
  const myAlert = opened.data.id

  await t.test('live feed: only messages about its sites', async (t) => {
    t.equal(opened.data.siteId, mine.site.id, 'the first message a staff client gets is its own site')
    // its SOS, and what follows it there (an escalation step; nobody is on duty): all about its own site
    t.ok(
      staffFeed.messages.every((m) => m.data.siteId === mine.site.id),
      'nothing about another site',
    )
    // a resuming staff client replays only its own site's messages too
    const resumed = await openLive(t, h.hub.httpPort, staff.token, '&since=0')
    const replayed = await resumed.waitFor((m) => m.data.id === myAlert)
    t.equal(resumed.messages[0], replayed, 'their alert was skipped in the replay')
  })

  await t.test('REST reads: other sites are invisible (404), lists hold only its sites', async (t) => {
    const list = async (path: string, token: string) =>
      (await api('GET', path, undefined, token)).body.items.map((x: any) => x.id)
    t.same(await list('/api/v1/sites', staff.token), [mine.site.id])
    t.same(await list('/api/v1/residents', staff.token), [mine.resident.id])
    t.same(await list('/api/v1/devices', staff.token), [mine.device.id])
    t.same(await list(`/api/v1/devices?siteId=${theirs.site.id}`, staff.token), [])
    // (type=sos: these institutions have nobody on duty, which raises an alert of its own at each site)
    t.same(await list('/api/v1/alerts?type=sos', staff.token), [myAlert])
    t.same(
      (await list('/api/v1/alerts?type=sos', op.token)).sort(),
      [myAlert, theirAlert].sort(),
      'operators see all',
    )
    for (const path of [
      `/api/v1/sites/${theirs.site.id}`,
      `/api/v1/residents/${theirs.resident.id}`,
      `/api/v1/devices/${theirs.device.id}`,
      `/api/v1/devices/${theirs.device.id}/readings`,
      `/api/v1/devices/${theirs.device.id}/rejected`,
      `/api/v1/alerts/${theirAlert}`,
    ]) {
      const res = await api('GET', path, undefined, staff.token)
      t.equal(res.status, 404, path)
      t.equal(res.body.error, 'HUB_ERR_NOT_FOUND')
      t.equal((await api('GET', path, undefined, op.token)).status, 200, `an operator reads ${path}`)
    }
    for (const path of [
      `/api/v1/sites/${mine.site.id}`,
      `/api/v1/devices/${mine.device.id}`,
      `/api/v1/alerts/${myAlert}`,
    ]) {
      t.equal((await api('GET', path, undefined, staff.token)).status, 200, path)
    }
    const denied = await api('POST', '/api/v1/sites', { kind: 'home', name: 'x', address: 'y' }, staff.token)
    t.equal(denied.status, 403, 'staff do not provision')
  })

  await t.test('acting: ack and resolve only at its sites', async (t) => {
    const ack = await api('POST', `/api/v1/alerts/${theirAlert}/ack`, {}, staff.token)
    t.equal(ack.status, 404)
    const resolve = await api('POST', `/api/v1/alerts/${theirAlert}/resolve`, { outcome: 'x' }, staff.token)
    t.equal(resolve.status, 404)
    const still = await api('GET', `/api/v1/alerts/${theirAlert}`, undefined, op.token)
    t.equal(still.body.state, 'open', 'their alert is untouched')
    const mineAck = await api('POST', `/api/v1/alerts/${myAlert}/ack`, { note: 'on my way' }, staff.token)
    t.equal(mineAck.status, 200)
    t.equal(mineAck.body.acknowledgedBy, staff.username)
    const mineResolve = await api('POST', `/api/v1/alerts/${myAlert}/resolve`, { outcome: 'ok' }, staff.token)
    t.equal(mineResolve.body.state, 'resolved')
  })

  await t.test(
    'a change to the user closes its live connection; it comes back with the new scope',
    async (t) => {
      const feed = await openLive(t, h.hub.httpPort, staff.token)
      const res = await api('PATCH', `/api/v1/users/${staff.user.id}`, { siteIds: [theirs.site.id] }, h.token)
      t.equal(res.status, 200)
      t.equal(await feed.waitForClose(), LiveClose.accountChanged)
      const again = await openLive(t, h.hub.httpPort, staff.token, '&since=0')
      await again.waitFor((m) => m.data.id === theirAlert)
      t.ok(
        again.messages.every((m) => m.data.siteId === theirs.site.id),
        'now only the new site',
      )
      t.equal((await api('GET', `/api/v1/alerts/${myAlert}`, undefined, staff.token)).status, 404)
      await api('PATCH', `/api/v1/users/${staff.user.id}`, { disabled: true }, h.token)
      const refused = await openLive(t, h.hub.httpPort, staff.token).catch((err: Error) => err)
      t.match(String(refused), /401/, 'a disabled user cannot open the feed')
    },
  )
})
