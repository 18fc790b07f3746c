import pg from 'pg'
import t from 'tap'
import { hashPassword } from '../src/store/users.js'
import { startTestHub, type TestHub } from './fixtures/hub.js'

// Operators' commands on an alert: ack with no body at all, and recorded actions (calls, dispatches).

/** A raw POST, to send exactly the body and headers a test names (the JSON fixture always adds a body). */
async function rawPost(h: TestHub, path: string, init: { body?: string; type?: string } = {}) {
  const res = await fetch(`${h.base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.token}`, ...(init.type && { 'content-type': init.type }) },
    body: init.body,
  })
  return { status: res.status, body: await res.json() }
}

/** Presses the call button of a freshly provisioned home and returns the alert it opened. */
async function sosAlert(h: TestHub) {
  const { device, site } = await h.provision()
  const feed = await h.live()
  const button = await h.connectDevice(device)
  await button.event('sos')
  const opened = await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === device.id)
  return { alert: opened.data, site, feed }
}

t.test('alert commands', async (t) => {
  const h = await startTestHub(t)

  await t.test('ack takes no body, or an empty JSON body', async (t) => {
    const { alert } = await sosAlert(h)
    const none = await rawPost(h, `/api/v1/alerts/${alert.id}/ack`)
    t.equal(none.status, 200, 'a POST with no body and no content type acknowledges')
    t.equal(none.body.state, 'acknowledged')
    t.equal(none.body.acknowledgedBy, 'admin')
    const empty = await rawPost(h, `/api/v1/alerts/${alert.id}/ack`, { body: '', type: 'application/json' })
    t.equal(empty.status, 200, 'an empty application/json body is no body')
    t.equal(empty.body.acknowledgedAt, none.body.acknowledgedAt, 'still idempotent')

    const broken = await rawPost(h, `/api/v1/alerts/${alert.id}/ack`, { body: '{', type: 'application/json' })
    t.equal(broken.status, 400, 'a malformed body is still refused')
    t.equal(broken.body.error, 'HUB_ERR_VALIDATION')
    const resolve = await rawPost(h, `/api/v1/alerts/${alert.id}/resolve`)
    t.equal(resolve.status, 400, 'a required body stays required')
    t.equal(resolve.body.details[0].field, 'body')
    // confirm-fire's body is optional too: with none, it gets past validation to the alert's own check
    const fire = await rawPost(h, `/api/v1/alerts/${alert.id}/confirm-fire`)
    t.equal(fire.status, 409, 'an SOS is no fire alarm, and no body is not the problem')
  })

  await t.test('recorded actions go into the history and the live feed', async (t) => {
    const { alert, feed } = await sosAlert(h)
    const path = `/api/v1/alerts/${alert.id}/actions`
    const called = await h.api('POST', path, { action: 'called-resident', note: 'no answer' }, h.token)
    t.equal(called.status, 200)
    t.equal(called.body.state, 'open', 'recording an action does not acknowledge')
    const entry = called.body.history.at(-1)
    t.match(entry, { kind: 'action', actor: 'admin', note: 'no answer', data: { action: 'called-resident' } })
    const pushed = await feed.waitFor(
      (m) => m.kind === 'alert.updated' && m.data.history.some((e: { kind: string }) => e.kind === 'action'),
    )
    t.equal(pushed.data.id, alert.id)

    await h.api('POST', path, { action: 'called-120' }, h.token)
    const stored = await h.api('GET', `/api/v1/alerts/${alert.id}`, undefined, h.token)
    t.same(
      stored.body.history
        .filter((e: { kind: string }) => e.kind === 'action')
        .map((e: { data: { action: string } }) => e.data.action),
      ['called-resident', 'called-120'],
      'kept in order, in the audit trail',
    )

    const bad = await h.api('POST', path, { action: 'called-ghostbusters' }, h.token)
    t.equal(bad.status, 400)
    t.equal(bad.body.details[0].field, 'body.action')
    t.equal((await h.api('POST', path, { action: 'called-120', extra: 1 }, h.token)).status, 400)
    const missing = await h.api('POST', '/api/v1/alerts/alr_nope/actions', { action: 'called-119' }, h.token)
    t.equal(missing.status, 404)
    t.equal(missing.body.error, 'HUB_ERR_NOT_FOUND')

    await h.api('POST', `/api/v1/alerts/${alert.id}/resolve`, { outcome: 'resident fine' }, h.token)
    const late = await h.api('POST', path, { action: 'dispatched-staff' }, h.token)
    t.equal(late.status, 409, 'a resolved alert takes no more actions')
    t.equal(late.body.error, 'HUB_ERR_CONFLICT')
  })

  await t.test('staff record actions only on their own sites', async (t) => {
    const mine = await sosAlert(h)
    const other = await sosAlert(h)
    const db = new pg.Client({ connectionString: h.hub.databaseUrl })
    await db.connect()
    t.teardown(() => db.end())
    await db.query(
      `INSERT INTO users (id, username, password_hash, role, site_ids)
       VALUES ('usr_staff_a', 'staff-a', $1, 'staff', $2)`,
      [await hashPassword('staff-password'), [mine.site.id]],
    )
    const staff = await h.login('staff-a', 'staff-password')
    const own = await h.api(
      'POST',
      `/api/v1/alerts/${mine.alert.id}/actions`,
      { action: 'dispatched-staff' },
      staff,
    )
    t.equal(own.status, 200)
    t.equal(own.body.history.at(-1).actor, 'staff-a')
    const foreign = await h.api(
      'POST',
      `/api/v1/alerts/${other.alert.id}/actions`,
      { action: 'dispatched-staff' },
      staff,
    )
    t.equal(foreign.status, 404, "another site's alert does not exist for staff")
    t.equal(
      (await h.api('POST', `/api/v1/alerts/${mine.alert.id}/actions`, { action: 'called-119' })).status,
      401,
    )
  })
})
