// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// A fire alarm's signal to the monitoring centre, and its verification window, are written in the transaction
// that opens the alert (the alerting runner's fire effect), not by a forwarder reading the feed afterwards.

t.test('a smoke alarm, its signal and its verification window commit together', async (t) => {
  const centre = await startWebhookReceiver(t, { secret: 'centre-secret-5678' })
  const hub = await startTestHub(t, { HUB_FIRE_ACK_WINDOW: '1h', HUB_FIRE_INVESTIGATE_WINDOW: '1h' })
  const site = await hub.create('/api/v1/sites', { kind: 'institution', name: 'Home', address: '1 Road' })
  await hub.create(`/api/v1/sites/${site.id}/monitoring-centres`, {
    name: 'Centre',
    url: centre.url,
    secret: 'centre-secret-5678',
  })
  const device = await hub.create('/api/v1/devices', {
    type: 'smoke-detector',
    siteId: site.id,
    location: { building: 'A', floor: '1', zone: 'Z1', room: '101' },
  })
  const feed = await hub.live()
  const detector = await hub.connectDevice(device)
  await detector.event('smoke')
  const opened = (await feed.waitFor((m) => m.kind === 'alert.opened')).data as any

  const db = await dbClient(t, hub.hub.databaseUrl)
  // the runner decides a whole transaction at one instant: a row written later would carry a later time
  const { rows } = await db.query(
    `SELECT (SELECT created_at FROM notifications WHERE alert_id = $1 AND target = 'fire-centre') AS signal_at,
            (SELECT count(*)::int FROM fire_verifications WHERE alert_id = $1) AS windows`,
    [opened.id],
  )
  t.equal(rows[0].windows, 1, 'the verification window is there as soon as the alert is')
  t.equal(
    rows[0].signal_at?.toISOString(),
    opened.openedAt,
    'the signal was queued at the very time the alarm opened: in its transaction',
  )
  const deadline = Date.now() + 20_000
  while (!centre.requests.some((r) => (r.body as any).kind === 'fire') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
  }
  const fire = centre.requests.find((r) => (r.body as any).kind === 'fire')
  t.equal((fire?.body as any)?.alertId, opened.id, 'and the outbox delivers it to the centre')
})
