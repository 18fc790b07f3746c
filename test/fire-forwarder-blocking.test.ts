// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { launchBrowser, logIn, newPage } from './fixtures/browser.js'
import { dbClient } from './fixtures/db.js'
import { ADMIN_PASSWORD, startTestHub, type TestHub } from './fixtures/hub.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// Nothing blocks the fire path: a signal that cannot be queued is set aside with its reason while every other
// signal goes out, and deleting a monitoring centre cancels what waits for it instead of retrying for ever.
// Real receivers; a database trigger plays the signal that cannot be stored.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const windows = { HUB_FIRE_ACK_WINDOW: '1h', HUB_FIRE_INVESTIGATE_WINDOW: '1h' }

async function until<T>(what: string, ms: number, get: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await get()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await sleep(50)
  }
}

async function institution(hub: TestHub, centreUrl: string) {
  const site = await hub.create('/api/v1/sites', {
    kind: 'institution',
    name: 'Pine home',
    address: '9 Road',
  })
  const centre = await hub.create(`/api/v1/sites/${site.id}/monitoring-centres`, {
    name: 'City centre',
    url: centreUrl,
  })
  // each detector in a zone of its own: no alarm confirms another
  const detector = async (zone: string) =>
    hub.connectDevice(
      await hub.create('/api/v1/devices', {
        type: 'smoke-detector',
        siteId: site.id,
        location: { building: 'A', floor: '1', zone, room: zone },
      }),
    )
  const log = async () =>
    (await hub.api('GET', `/api/v1/sites/${site.id}/fire-events?limit=1000`, undefined, hub.token)).body
      .items as any[]
  return { site, centre, detector, log }
}

const fireFrom = (requests: { body: unknown }[], deviceId: string) =>
  requests.find((r) => (r.body as any).kind === 'fire' && (r.body as any).device?.id === deviceId)

t.test('a signal that cannot be queued is set aside; every other signal keeps flowing', async (t) => {
  const receiver = await startWebhookReceiver(t)
  const hub = await startTestHub(t, windows)
  const { site, detector, log } = await institution(hub, receiver.url)
  const [bad, good, later] = [await detector('Z1'), await detector('Z2'), await detector('Z3')]

  const db = await dbClient(t, hub.hub.databaseUrl)
  await db.query(`CREATE FUNCTION refuse_signal() RETURNS trigger AS $$ BEGIN
      IF NEW.message->'device'->>'id' = '${bad.id}' THEN RAISE EXCEPTION 'no room for this signal'; END IF;
      RETURN NEW; END $$ LANGUAGE plpgsql`)
  await db.query(
    'CREATE TRIGGER refuse_signal BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION refuse_signal()',
  )

  await bad.event('smoke')
  await good.event('smoke')
  await until('the good alarm at the centre', 20_000, () => fireFrom(receiver.requests, good.id))
  await later.event('smoke')
  await until('a later alarm at the centre', 20_000, () => fireFrom(receiver.requests, later.id))
  t.notOk(fireFrom(receiver.requests, bad.id), 'the signal that could not be queued never went out')

  const badAlert = (await hub.api('GET', `/api/v1/alerts?deviceId=${bad.id}`, undefined, hub.token)).body
    .items[0]
  t.match(
    (await log()).filter((e) => e.source === 'signal'),
    [{ kind: 'signal-set-aside', alertId: badAlert.id, deviceId: bad.id, note: /no room for this signal/ }],
    'set aside once, with its reason, in the fire-event log',
  )
  const failures = await hub.api(
    'GET',
    `/api/v1/alerts?siteId=${site.id}&type=delivery-failure`,
    undefined,
    hub.token,
  )
  t.match(
    failures.body.items,
    [{ priority: 3, state: 'open', history: [{ data: { reason: /no room for this signal/ } }] }],
    'a technical alert tells the operators',
  )

  await t.test('once the cause is fixed, staff send the set-aside signal again', async (t) => {
    const resend = (id: string, token = hub.token) =>
      hub.api('POST', `/api/v1/alerts/${id}/resend-fire-signal`, undefined, token)
    const goodAlert = (await hub.api('GET', `/api/v1/alerts?deviceId=${good.id}`, undefined, hub.token)).body
      .items[0]
    const notSetAside = await resend(goodAlert.id)
    t.equal(notSetAside.status, 409, 'an alarm whose signal went out has nothing to resend')
    t.match(notSetAside.body, { error: 'HUB_ERR_CONFLICT', message: /set aside/ })

    await db.query('DROP TRIGGER refuse_signal ON notifications')
    const res = await resend(badAlert.id)
    t.equal(res.status, 200)
    t.same(res.body, { alertId: badAlert.id, signal: 'fire', centres: 1 })
    const signal = await until('the resent signal at the centre', 20_000, () =>
      fireFrom(receiver.requests, bad.id),
    )
    t.match(
      signal.body,
      { kind: 'fire', alertId: badAlert.id, device: { id: bad.id } },
      'the centre hears of the fire',
    )
    t.match(
      (await log()).filter((e) => e.source === 'signal' && e.alertId === badAlert.id),
      [
        { kind: 'signal-set-aside', note: /no room for this signal/ },
        { kind: 'signal-resent', actor: 'admin', note: 'fire queued again for 1 monitoring centre' },
      ],
      'the fire-event log says who sent it again',
    )
    t.equal(
      (await resend(badAlert.id)).status,
      409,
      'sent again once: a second resend has nothing to make up for',
    )

    const resolved = await hub.api(
      'POST',
      `/api/v1/alerts/${goodAlert.id}/resolve`,
      { outcome: 'a burnt toast' },
      hub.token,
    )
    t.equal(resolved.status, 200)
    t.equal((await resend(goodAlert.id)).status, 409, 'never for a resolved alarm')
    t.equal((await resend('alr_nope')).status, 404)
  })
})

t.test('deleting a monitoring centre cancels its queued signals and nothing retries them', async (t) => {
  const receiver = await startWebhookReceiver(t, { status: 503 })
  const hub = await startTestHub(t, windows)
  const { site, centre, detector, log } = await institution(hub, receiver.url)
  const d = await detector('Z1')
  await d.event('smoke')
  await until('two failed attempts', 20_000, () =>
    receiver.requests.filter((r) => (r.body as any).kind === 'fire').length >= 2 ? true : undefined,
  )

  const del = await hub.api(
    'DELETE',
    `/api/v1/sites/${site.id}/monitoring-centres/${centre.id}`,
    undefined,
    hub.token,
  )
  t.equal(del.status, 200)
  const db = await dbClient(t, hub.hub.databaseUrl)
  const { rows } = await db.query(
    `SELECT state, next_attempt_at FROM notifications WHERE recipient->>'centreId' = $1 AND message->>'kind' = 'fire'`,
    [centre.id],
  )
  t.same(rows, [{ state: 'cancelled', next_attempt_at: null }], 'the fire signal is cancelled')
  const cancelled = (await log()).filter((e) => e.source === 'signal')
  t.match(
    cancelled.filter((e) => e.alertId),
    [{ kind: 'signal-cancelled', actor: 'admin', deviceId: d.id, note: /City centre was deleted/ }],
    'the cancelled fire signal is in the fire-event log',
  )
  t.ok(
    cancelled.every((e) => e.kind === 'signal-cancelled'),
    'so is any heartbeat that was waiting',
  )

  // an attempt may have been in flight at the deletion; after it, nothing more is sent
  await sleep(1_000)
  const sent = receiver.requests.length
  const linkDown = async () =>
    (await hub.api('GET', `/api/v1/alerts?siteId=${site.id}&type=centre-link-down`, undefined, hub.token))
      .body.items as any[]
  const countBefore = (await linkDown()).map((a) => a.count)
  await sleep(5_000) // the outbox retries a fire signal at least every 2 s
  t.equal(receiver.requests.length, sent, 'no attempt after the deletion')
  t.same(
    (await linkDown()).map((a) => a.count),
    countBefore,
    'no more centre-link-down repeats',
  )
})

t.test('the console: the set-aside alert offers to send the fire signal again', async (t) => {
  const receiver = await startWebhookReceiver(t)
  const hub = await startTestHub(t, windows)
  const { site, detector } = await institution(hub, receiver.url)
  const d = await detector('Z1')
  const db = await dbClient(t, hub.hub.databaseUrl)
  await db.query(`CREATE FUNCTION refuse_fire() RETURNS trigger AS $$ BEGIN
      IF NEW.target = 'fire-centre' THEN RAISE EXCEPTION 'the centre table is being migrated'; END IF;
      RETURN NEW; END $$ LANGUAGE plpgsql`)
  await db.query(
    'CREATE TRIGGER refuse_fire BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION refuse_fire()',
  )
  await d.event('smoke')
  const failure = await until('the delivery-failure alert', 20_000, async () => {
    const r = await hub.api(
      'GET',
      `/api/v1/alerts?siteId=${site.id}&type=delivery-failure`,
      undefined,
      hub.token,
    )
    return r.body.items[0]
  })

  const browser = await launchBrowser(t)
  const { page, errors } = await newPage(browser, { locale: 'en' })
  await logIn(page, hub.base, 'admin', ADMIN_PASSWORD, `/alerts/${failure.id}`)
  await page.locator('[data-testid=workspace]').waitFor()
  await db.query('DROP TRIGGER refuse_fire ON notifications')
  t.same(errors, [], 'no script errors on the page')
  await page.locator('[data-testid=resend-fire-signal]').click()
  await page.locator('[data-testid=fire-signal-resent]:not([hidden])').waitFor()
  const signal = await until('the fire at the centre', 20_000, () => fireFrom(receiver.requests, d.id))
  t.match(signal.body, { kind: 'fire', alertId: failure.relatedAlertId }, 'the click sent the fire alarm')

  await page.locator('[data-testid=resend-fire-signal]').click()
  await page.getByText(/set aside/).waitFor()
  t.pass('a second click is refused with the reason shown')
  // (the live update that follows the delivery raises a script error in the console, also without this
  // button: a known console bug, left for its own fix)
})
