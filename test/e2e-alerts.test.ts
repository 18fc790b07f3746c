import t from 'tap'
import { startTestHub } from './fixtures/hub.js'

t.test(
  'an SOS becomes alert.opened; repeats fold in; cancel, ack and resolve appear on the feed',
  async (t) => {
    const h = await startTestHub(t)
    const { device, resident, site } = await h.provision('call-button', { abilityLevel: 3 })
    const feed = await h.live()
    const button = await h.connectDevice(device)

    const eventId = button.newEventId()
    const sos = JSON.stringify({ id: eventId, ts: new Date().toISOString(), type: 'sos', button: 'pendant' })
    await button.publish('events', sos)
    const opened = await feed.waitFor((m) => m.kind === 'alert.opened')
    const alert = opened.data
    t.equal(alert.type, 'sos')
    t.equal(alert.priority, 2)
    t.equal(alert.state, 'open')
    t.equal(alert.deviceId, device.id)
    t.equal(alert.residentId, resident.id)
    t.equal(alert.siteId, site.id)
    t.equal(alert.count, 1)
    t.equal(alert.event?.id, eventId)
    t.equal((alert.event as Record<string, unknown> | null)?.button, 'pendant')
    t.same(
      alert.history.map((e: { kind: string }) => e.kind),
      ['opened'],
    )

    // the very same message again (a retransmission) changes nothing; a new press folds into the open alert
    await button.publish('events', sos)
    await button.event('sos')
    const repeated = await feed.waitFor((m) => m.kind === 'alert.updated' && m.data.count === 2)
    t.equal(repeated.data.id, alert.id)
    await button.event('cancel')
    const cancelled = await feed.waitFor(
      (m) =>
        m.kind === 'alert.updated' && m.data.history.some((e: { kind: string }) => e.kind === 'cancelled'),
    )
    t.equal(cancelled.data.state, 'open', 'a cancel is recorded but the alert stays open for the operator')

    const list = await h.api('GET', '/api/v1/alerts?state=open', undefined, h.token)
    t.equal(list.body.items.length, 1, 'the retransmission made no second alert')

    const ack = await h.api(
      'POST',
      `/api/v1/alerts/${alert.id}/ack`,
      { note: 'calling the resident' },
      h.token,
    )
    t.equal(ack.status, 200)
    t.equal(ack.body.state, 'acknowledged')
    t.equal(ack.body.acknowledgedBy, 'admin')
    const again = await h.api('POST', `/api/v1/alerts/${alert.id}/ack`, {}, h.token)
    t.equal(again.status, 200, 'acking an acknowledged alert is idempotent')
    t.equal(again.body.acknowledgedAt, ack.body.acknowledgedAt)

    const resolved = await h.api(
      'POST',
      `/api/v1/alerts/${alert.id}/resolve`,
      { outcome: 'false alarm' },
      h.token,
    )
    t.equal(resolved.body.state, 'resolved')
    t.equal(resolved.body.outcome, 'false alarm')
    const twice = await h.api('POST', `/api/v1/alerts/${alert.id}/resolve`, { outcome: 'again' }, h.token)
    t.equal(twice.status, 409)
    t.equal(twice.body.error, 'HUB_ERR_CONFLICT')
    const ackResolved = await h.api('POST', `/api/v1/alerts/${alert.id}/ack`, {}, h.token)
    t.equal(ackResolved.status, 409)

    await feed.waitFor((m) => m.kind === 'alert.updated' && m.data.state === 'resolved')
    const seqs = feed.messages.map((m) => m.seq)
    t.same(
      seqs,
      seqs.map((_, i) => seqs[0]! + i),
      'feed seqs are gap-free',
    )
    const audit = await h.api('GET', `/api/v1/alerts/${alert.id}`, undefined, h.token)
    const kinds: string[] = audit.body.history.map((e: { kind: string }) => e.kind)
    t.same(
      kinds.filter((k) => k !== 'escalated'),
      ['opened', 'repeated', 'cancelled', 'acknowledged', 'resolved'],
    )
    t.equal(
      kinds.filter((k) => k === 'escalated').length,
      1,
      'the first escalation step ran, the ack stopped the rest',
    )
    t.same(
      feed.messages.map((m) => m.kind),
      ['alert.opened', ...Array(kinds.length - 1).fill('alert.updated')],
      'one feed message per change',
    )
    t.equal(
      audit.body.history.find((e: { kind: string }) => e.kind === 'acknowledged').note,
      'calling the resident',
    )

    // after resolution a new press opens a new alert
    await button.event('sos')
    const second = await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.id !== alert.id)
    t.equal(second.data.count, 1)
  },
)

t.test('the open queue sorts by priority, then ability level, then time', async (t) => {
  const h = await startTestHub(t)
  const able = await h.provision('call-button', { abilityLevel: 0 })
  const frail = await h.provision('call-button', { abilityLevel: 4 })
  const smoke = await h.provision('smoke-detector', { abilityLevel: 0 })
  const feed = await h.live()
  const devices = []
  for (const p of [able, frail, smoke]) {
    const d = await h.connectDevice(p.device)
    await d.event(p.device.type === 'smoke-detector' ? 'smoke' : 'sos')
    devices.push(d)
  }
  await feed.waitFor(() => feed.messages.filter((m) => m.kind === 'alert.opened').length === 3)
  const list = await h.api('GET', '/api/v1/alerts?state=open', undefined, h.token)
  t.same(
    list.body.items.map((a: { deviceId: string }) => a.deviceId),
    [smoke.device.id, frail.device.id, able.device.id],
  )
  t.same(
    list.body.items.map((a: { priority: number }) => a.priority),
    [1, 2, 2],
  )
  const page1 = await h.api('GET', '/api/v1/alerts?state=open&limit=2', undefined, h.token)
  t.equal(page1.body.items.length, 2)
  const page2 = await h.api(
    'GET',
    `/api/v1/alerts?state=open&limit=2&cursor=${page1.body.nextCursor}`,
    undefined,
    h.token,
  )
  t.same(
    page2.body.items.map((a: { deviceId: string }) => a.deviceId),
    [able.device.id],
  )
  t.notOk(page2.body.nextCursor)

  // repeats fold into the count; the stored history keeps the first and the latest repeat only
  for (let i = 0; i < 6; i++) await devices[0]!.event('sos')
  const seventh = await feed.waitFor((m) => m.kind === 'alert.updated' && m.data.count === 7)
  const stored = await h.api('GET', `/api/v1/alerts/${seventh.data.id}`, undefined, h.token)
  const repeats = stored.body.history.filter((e: { kind: string }) => e.kind === 'repeated')
  t.same(
    repeats.map((e: { data: { count: number } }) => e.data.count),
    [2, 7],
    'first and latest repeat, with the count then',
  )
  t.same(
    seventh.data.history.filter((e: { kind: string }) => e.kind === 'repeated').length,
    2,
    'the feed message is bounded too',
  )
})
