// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { alertOf, notificationsOf, scene, until, WEBHOOK_SECRET } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// A chain whose last step repeats (a reminder every second here) keeps the alert's history bounded: per step,
// the first `escalated` entry and the latest, counting every run; per recipient and channel, the first
// `notified` entry and the latest, counting every delivery. Nothing is lost from the count.

/** How many runs or deliveries a folded group stands for: the latest's count, plus any entry after it. */
function represented(group: any[]): number {
  const last = [...group].reverse().findIndex((h) => h.data.count !== undefined)
  if (last < 0) return group.length
  return group[group.length - 1 - last].data.count + last
}

t.test('a repeating reminder keeps the history bounded, with the count of every run', async (t) => {
  const hook = await startWebhookReceiver(t, { secret: WEBHOOK_SECRET })
  const hub = await startTestHub(t, { HUB_WEBHOOK_SECRET: WEBHOOK_SECRET })
  const s = await scene(hub, {
    steps: [{ name: 'family', targets: ['family'], waitSeconds: 1 }],
    contacts: [{ name: 'Son', relation: 'son', webhook: hook.url }],
  })
  const button = await hub.connectDevice(s.device)
  await button.event('sos')
  const alert = await alertOf(hub, s.device.id)
  await hook.waitFor(6, 60_000)
  // received is not yet recorded: ack only once six deliveries are in the database, or the ack cancels one
  // still marked pending while its answer is on the way
  await notificationsOf(
    hub,
    alert.id,
    (items) => items.filter((n) => n.state === 'delivered' && n.channel === 'webhook').length >= 6,
  )

  const acked = await hub.api('POST', `/api/v1/alerts/${alert.id}/ack`, {}, hub.token)
  t.equal(acked.status, 200, 'the ack stops the reminders')
  const ns = await notificationsOf(hub, alert.id, (items) => items.every((n) => n.state !== 'pending'))
  const final = await until(hub, `/api/v1/alerts/${alert.id}`, () => true)

  const escalated = final.history.filter((h: any) => h.kind === 'escalated')
  const iterations = Math.max(...escalated.map((h: any) => h.data.iteration)) + 1
  t.ok(iterations >= 6, `the step ran ${iterations} times`)
  t.ok(escalated.length <= 3, `the step's runs are ${escalated.length} entries, not ${iterations}`)
  t.equal(escalated[0].data.iteration, 0, 'the first run is kept')
  t.equal(escalated.at(-1).data.iteration, iterations - 1, 'the latest run is kept')
  t.equal(represented(escalated), iterations, 'the count stands for every run')
  t.ok(
    escalated.every((h: any) => h.data.count === undefined || h.data.count === h.data.iteration + 1),
    'a folded run counts the runs up to it',
  )

  const notified = final.history.filter((h: any) => h.kind === 'notified')
  const delivered = ns.filter((n) => n.state === 'delivered' && n.channel === 'webhook')
  t.ok(delivered.length >= 6, `${delivered.length} reminders delivered`)
  t.ok(notified.length <= 3, `the deliveries are ${notified.length} entries, not ${delivered.length}`)
  t.equal(represented(notified), delivered.length, 'the count stands for every delivery')
  const ids = new Set(delivered.map((n) => n.id))
  t.ok(
    notified.every((h: any) => ids.has(h.data.notificationId)),
    'each kept entry names a delivered notification',
  )
})
