// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { until } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { startSmsGateway } from './fixtures/receivers.js'

// Abuse limits: SMS is paid per message. With caps of 3 per resident and 2 per contact address an hour, what
// reaches the gateway stops at the cap, and each refused message raises a delivery-failure alert naming it.

t.test('paid-channel caps', async (t) => {
  const sms = await startSmsGateway(t)
  const h = await startTestHub(t, {
    SMS_GATEWAY_URL: sms.url,
    HUB_PAID_CAP_PER_RESIDENT: '3',
    HUB_PAID_CAP_PER_CONTACT: '2',
  })
  const site = await h.create('/api/v1/sites', { kind: 'home', name: 'Cap home', address: '3 Road' })
  await h.create('/api/v1/escalation-policies', {
    siteId: site.id,
    alertType: 'sos',
    name: 'family by SMS',
    steps: [{ name: 'family', targets: ['family'], waitSeconds: 3600 }],
  })
  const son = { name: 'Son', relation: 'son', phone: '+8613900000001' }
  const daughter = { name: 'Daughter', relation: 'daughter', phone: '+8613900000002' }
  const resident = async (contacts: unknown[]) => {
    const r = await h.create('/api/v1/residents', { siteId: site.id, name: 'Cap', abilityLevel: 1, contacts })
    const d = await h.create('/api/v1/devices', { type: 'call-button', siteId: site.id, residentId: r.id })
    return h.connectDevice(d)
  }
  const feed = await h.live()
  let seen = 0
  /** Presses SOS, waits for its SMS notifications to be final, resolves the alert; returns their states. */
  async function sos(button: Awaited<ReturnType<typeof resident>>) {
    await button.event('sos')
    const opened = await feed.waitFor(
      (m) => m.kind === 'alert.opened' && m.data.type === 'sos' && m.seq > seen,
    )
    seen = opened.seq
    const { items } = await until(
      h,
      `/api/v1/alerts/${opened.data.id}/notifications`,
      (b) => b.items.length > 0 && b.items.every((n: any) => n.state === 'delivered' || n.state === 'failed'),
    )
    await h.api('POST', `/api/v1/alerts/${opened.data.id}/resolve`, { outcome: 'handled' }, h.token)
    return items.map((n: any) => n.state).sort()
  }

  /** the error of each delivery-failure alert, sorted */
  const failures = async (n: number) =>
    (await until(h, '/api/v1/alerts?type=delivery-failure', (b) => b.items.length === n)).items
      .map((a: any) => a.history[0].data.error)
      .sort()

  // one number: two messages an hour, then refused
  const one = await resident([son])
  t.same(await sos(one), ['delivered'])
  t.same(await sos(one), ['delivered'])
  t.same(await sos(one), ['failed'])
  t.equal(sms.requests.length, 2, 'the gateway got 2 messages, the per-contact cap')
  t.same(await failures(1), ['paid-channel cap reached: 2 sms messages per contact per hour'])

  // three numbers of one resident: three messages an hour for that resident, then refused, all of them
  const three = await resident([
    daughter,
    { ...daughter, phone: '+8613900000003' },
    { ...daughter, phone: '+8613900000004' },
  ])
  t.same(await sos(three), ['delivered', 'delivered', 'delivered'])
  t.same(await sos(three), ['failed', 'failed', 'failed'])
  t.equal(sms.requests.length, 5, 'the gateway got 3 more, the per-resident cap')
  t.same(await failures(2), [
    'paid-channel cap reached: 2 sms messages per contact per hour',
    'paid-channel cap reached: 3 sms messages per resident per hour',
  ])
})
