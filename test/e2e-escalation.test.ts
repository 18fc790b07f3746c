// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { alertOf, notificationsOf, scene, until, WEBHOOK_SECRET } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { startSmsGateway, startSmtpServer, startWebhookReceiver } from './fixtures/receivers.js'

// Escalation end to end: a real hub, a real SMTP server, real webhook receivers and SMS gateway. Deadlines are
// seconds here; the assertions are about order and "not early", never about how late.

const ms = (iso: string) => new Date(iso).getTime()
const steps = (alert: any) => alert.history.filter((h: any) => h.kind === 'escalated')

t.test(
  'the default chain: steps in order and none early, every channel, then an ack stops it all',
  async (t) => {
    const smtp = await startSmtpServer(t)
    const sms = await startSmsGateway(t)
    const staffHook = await startWebhookReceiver(t, { secret: WEBHOOK_SECRET })
    const familyHook = await startWebhookReceiver(t, { secret: WEBHOOK_SECRET })
    const hub = await startTestHub(t, {
      SMTP_URL: smtp.url,
      SMS_GATEWAY_URL: sms.url,
      HUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    })

    // the shipped life-safety default (an SOS's class), waits shortened to seconds; targets and order as shipped
    const policy = (
      await hub.api('GET', '/api/v1/escalation-policies?alertClass=life-safety', undefined, hub.token)
    ).body.items[0]
    t.same(
      policy.steps.map((s: any) => [s.name, s.targets, s.waitSeconds]),
      [
        ['alert', ['call-centre', 'duty-staff'], 60],
        ['escalate', ['supervisor', 'family'], 120],
        ['unanswered', ['call-centre', 'duty-staff', 'supervisor', 'family'], 300],
      ],
      'the default policy as CONTRACT.md and the issue describe it',
    )
    const short = policy.steps.map((s: any, i: number) => ({ ...s, waitSeconds: [1, 2, 2][i] }))
    const patched = await hub.api(
      'PATCH',
      `/api/v1/escalation-policies/${policy.id}`,
      { steps: short },
      hub.token,
    )
    t.equal(patched.status, 200)

    const s = await scene(hub, {
      kind: 'institution',
      contacts: [
        { name: 'Son', relation: 'son', webhook: familyHook.url, language: 'en' },
        { name: 'Daughter', relation: 'daughter', email: 'daughter@example.com', phone: '+8613800000001' },
      ],
    })
    const staff = await hub.create('/api/v1/users', {
      username: 'nurse',
      password: 'nurse-password',
      role: 'staff',
      siteIds: [s.site.id],
      name: 'Nurse Li',
      webhook: staffHook.url,
    })
    const hour = 3_600_000
    await hub.create(`/api/v1/sites/${s.site.id}/shifts`, {
      userId: staff.id,
      from: new Date(Date.now() - hour).toISOString(),
      to: new Date(Date.now() + hour).toISOString(),
    })
    await hub.create('/api/v1/users', {
      username: 'boss',
      password: 'boss-password',
      role: 'supervisor',
      name: 'Supervisor Zhao',
      email: 'boss@example.com',
    })

    const feed = await hub.live()
    const button = await hub.connectDevice(s.device)
    await button.event('sos', { button: 'pendant' })
    const opened = await alertOf(hub, s.device.id)

    // four runs: alert (0 s), escalate (1 s), unanswered (3 s), its first repeat (5 s)
    const alert = await until(hub, `/api/v1/alerts/${opened.id}`, (a: any) => steps(a).length >= 4)
    const ran = steps(alert).slice(0, 4)
    t.same(
      ran.map((h: any) => [h.data.step, h.data.iteration]),
      [
        ['alert', 0],
        ['escalate', 0],
        ['unanswered', 0],
        ['unanswered', 1],
      ],
      'the steps run in order, and the last one repeats',
    )
    const dueAfter = [0, 1, 3, 5]
    ran.forEach((h: any, i: number) => {
      t.ok(ms(h.at) >= ms(alert.openedAt) + dueAfter[i]! * 1000, `step ${i + 1} not before +${dueAfter[i]} s`)
    })
    t.equal(alert.unanswered, true, 'reaching the "unanswered" step marks the alert')

    // who got what in the first two steps
    const first = await notificationsOf(hub, alert.id, (ns) =>
      ns.filter((n) => n.step <= 1).every((n) => n.state !== 'pending'),
    )
    const byStep = (i: number) =>
      first
        .filter((n) => n.step === i && n.iteration === 0)
        .map((n) => `${n.target}/${n.recipient.name}/${n.channel}`)
        .sort()
    t.same(byStep(0), [
      'call-centre/call centre/live',
      'duty-staff/Nurse Li/live',
      'duty-staff/Nurse Li/webhook',
    ])
    t.same(byStep(1), [
      'family/Daughter/email',
      'family/Daughter/sms',
      'family/Son/webhook',
      'supervisor/Supervisor Zhao/email',
      'supervisor/Supervisor Zhao/live',
    ])
    for (const n of first.filter((n) => n.step <= 1)) {
      t.equal(n.state, 'delivered', `${n.channel} to ${n.recipient.name} delivered`)
      t.ok(n.receipt, `with what the receiver confirmed: ${n.receipt}`)
    }

    const sonFirst = (await familyHook.waitFor(1))[0]!
    t.equal(sonFirst.verified, true, 'the family webhook is signed per Standard Webhooks')
    const sonNotification = first.find((n) => n.recipient.name === 'Son')
    t.equal(sonFirst.headers['webhook-id'], sonNotification.id, 'webhook-id is the notification id')
    const body = sonFirst.body as any
    t.match(body, {
      alertId: alert.id,
      type: 'sos',
      priority: 2,
      reason: 'alert',
      resident: { id: s.resident.id, name: 'Wang Fang' },
      site: { name: 'Escalation home', address: '9 Escalation Street' },
      device: { id: s.device.id, type: 'call-button' },
    })
    t.match(body.ackUrl, /^http:\/\/.+\/api\/v1\/family-ack\/.+/, 'with an acknowledgement link')
    t.equal((await staffHook.waitFor(1))[0]!.verified, true)
    const mails = await smtp.waitFor(2)
    const mailedTo = new Set(mails.map((m) => m.envelope.to[0]))
    t.ok(
      mailedTo.has('boss@example.com') && mailedTo.has('daughter@example.com'),
      'e-mail to supervisor and daughter',
    )
    t.equal((await sms.waitFor(1))[0]!.url, `/send/${encodeURIComponent('+8613800000001')}`)
    await feed.waitFor((m) => m.kind === 'notification.updated' && m.data.alertId === alert.id)

    // the operator acknowledges: no further step, no queued notification or retry survives it
    const acked = await hub.api('POST', `/api/v1/alerts/${alert.id}/ack`, { note: 'calling' }, hub.token)
    t.equal(acked.status, 200)
    const ackedAt = ms(acked.body.acknowledgedAt)
    const metrics = await (await fetch(`${hub.base}/metrics`)).text()
    t.match(
      metrics,
      /hub_alert_time_to_ack_seconds_count\{priority="2"\} 1/,
      'time to acknowledge is measured',
    )
    await new Promise((r) => setTimeout(r, 4_500)) // two more repeat intervals
    const after = (await hub.api('GET', `/api/v1/alerts/${alert.id}/notifications`, undefined, hub.token))
      .body.items
    t.notOk(
      after.some((n: any) => ms(n.createdAt) > ackedAt),
      'no notification is created after the acknowledgement',
    )
    t.notOk(
      after.some((n: any) => n.state === 'pending'),
      'nothing is left queued',
    )
    const final = (await hub.api('GET', `/api/v1/alerts/${alert.id}`, undefined, hub.token)).body
    t.notOk(
      steps(final).some((h: any) => ms(h.at) > ackedAt),
      'no escalation step runs after the acknowledgement',
    )
  },
)

t.test('retries, dead letters, family links and targets that reach nobody', async (t) => {
  const hub = await startTestHub(t, { HUB_WEBHOOK_SECRET: WEBHOOK_SECRET, HUB_SECRET_KEY: 'k'.repeat(40) })
  const familyOnly = [{ name: 'family', targets: ['family'], waitSeconds: 2 }]

  await t.test(
    'a receiver that fails 3 times then succeeds gets it once more, signed, with the same id',
    async (t) => {
      const own = `whsec_${Buffer.from('the-family-apps-own-secret-key!!').toString('base64')}`
      const hook = await startWebhookReceiver(t, { failTimes: 3, secret: own })
      const once = [{ name: 'family', targets: ['family'], waitSeconds: 3600 }]
      const s = await scene(hub, {
        steps: once,
        contacts: [{ name: 'Son', relation: 'son', webhook: hook.url, webhookSecret: own }],
      })
      const button = await hub.connectDevice(s.device)
      await button.event('sos')
      const requests = await hook.waitFor(4, 30_000)
      t.same(
        requests.map((r) => r.status),
        [500, 500, 500, 200],
      )
      t.equal(new Set(requests.map((r) => r.headers['webhook-id'])).size, 1, 'one webhook-id across retries')
      t.ok(
        requests.every((r) => r.verified),
        "every attempt is signed with the endpoint's own secret",
      )
      const alert = await alertOf(hub, s.device.id)
      const [n] = await notificationsOf(hub, alert.id, (ns) => ns[0]?.state === 'delivered')
      t.equal(n.attempts, 4)
      t.same(
        n.attemptList.map((a: any) => a.ok),
        [false, false, false, true],
        'each attempt is recorded',
      )
      t.equal(n.receipt, 'HTTP 200')
      await new Promise((r) => setTimeout(r, 500))
      t.equal(hook.requests.length, 4, 'delivered once: no further request')
    },
  )

  await t.test(
    'a receiver that refuses for good is dead-lettered and raises a delivery-failure alert',
    async (t) => {
      const hook = await startWebhookReceiver(t, { status: 410 })
      const s = await scene(hub, {
        steps: familyOnly,
        contacts: [{ name: 'Son', relation: 'son', webhook: hook.url }],
      })
      const button = await hub.connectDevice(s.device)
      await button.event('sos')
      const alert = await alertOf(hub, s.device.id)
      const failure = await until(hub, `/api/v1/alerts?type=delivery-failure`, (b: any) =>
        b.items.some((a: any) => a.relatedAlertId === alert.id),
      )
      const raised = failure.items.find((a: any) => a.relatedAlertId === alert.id)
      t.match(raised, { priority: 3, deviceId: null, siteId: s.site.id, state: 'open' })
      const history = (await hub.api('GET', `/api/v1/alerts/${alert.id}`, undefined, hub.token)).body.history
      t.ok(
        history.some((h: any) => h.kind === 'delivery-failed'),
        "the give-up is in the alert's history",
      )
    },
  )

  await t.test(
    'the family link: a GET only shows, a POST acknowledges once, forged links are refused',
    async (t) => {
      const hook = await startWebhookReceiver(t)
      const other = await startWebhookReceiver(t)
      const s = await scene(hub, {
        steps: familyOnly,
        contacts: [
          { name: 'Son', relation: 'son', webhook: hook.url },
          { name: 'Niece', relation: 'niece', webhook: other.url },
        ],
      })
      const button = await hub.connectDevice(s.device)
      await button.event('sos')
      const link = ((await hook.waitFor(1))[0]!.body as any).ackUrl as string
      const alert = await alertOf(hub, s.device.id)

      const page = await fetch(link)
      t.equal(page.status, 200)
      t.match(page.headers.get('content-type'), /text\/html/)
      const before = (await hub.api('GET', `/api/v1/alerts/${alert.id}`, undefined, hub.token)).body
      t.notOk(
        before.history.some((h: any) => h.kind === 'contact-acknowledged'),
        'opening the link acknowledges nothing',
      )

      t.equal((await fetch(link, { method: 'POST' })).status, 200)
      t.equal((await fetch(link, { method: 'POST' })).status, 200, 'pressing again is harmless')
      const acked = (await hub.api('GET', `/api/v1/alerts/${alert.id}`, undefined, hub.token)).body
      const entries = acked.history.filter((h: any) => h.kind === 'contact-acknowledged')
      t.equal(entries.length, 1, 'recorded once')
      t.equal(entries[0].actor, 'Son')
      t.equal(acked.state, 'open', 'the alert stays open for the call centre')

      // the next reminders go to the niece only
      const sonCount = hook.requests.length
      await other.waitFor(3, 15_000)
      t.equal(hook.requests.length, sonCount, 'the son gets no more reminders')

      const forged = link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
      const refused = await fetch(forged, { method: 'POST' })
      t.ok(refused.status >= 400 && refused.status < 500, `a forged link is refused (${refused.status})`)
      const { signAckToken } = await import('../src/notify/ack-link.js')
      const expired = signAckToken('k'.repeat(40), {
        notificationId: entries[0].data.notificationId,
        expiresAt: new Date(Date.now() - 1000),
      })
      const gone = await fetch(link.replace(/[^/]+$/, expired), { method: 'POST' })
      t.ok(gone.status >= 400 && gone.status < 500, `an expired link is refused (${gone.status})`)
    },
  )

  await t.test('nobody on duty and a contact with no usable channel are alerts at once', async (t) => {
    const s = await scene(hub, {
      kind: 'institution',
      name: 'Empty roster home',
      steps: [{ name: 'all', targets: ['duty-staff', 'family'], waitSeconds: 3600 }],
      contacts: [{ name: 'Cousin', relation: 'cousin' }],
    })
    const button = await hub.connectDevice(s.device)
    await button.event('sos')
    const alert = await alertOf(hub, s.device.id)
    const nobody = await until(
      hub,
      `/api/v1/alerts?type=nobody-on-duty&siteId=${s.site.id}`,
      (b: any) => b.items.length > 0,
    )
    t.match(nobody.items[0], { priority: 3, deviceId: null, siteId: s.site.id })
    const noChannel = await until(hub, `/api/v1/alerts?type=no-usable-channel`, (b: any) =>
      b.items.some((a: any) => a.relatedAlertId === alert.id),
    )
    t.ok(noChannel.items.length > 0)
  })
})

t.test('a notification past its deadline is dead-lettered', async (t) => {
  const hook = await startWebhookReceiver(t, { status: 503 })
  const hub = await startTestHub(t, { HUB_NOTIFY_DEADLINE: '3s' })
  const s = await scene(hub, {
    steps: [{ name: 'family', targets: ['family'], waitSeconds: 3600 }],
    contacts: [{ name: 'Son', relation: 'son', webhook: hook.url }],
  })
  const button = await hub.connectDevice(s.device)
  await button.event('sos')
  const alert = await alertOf(hub, s.device.id)
  const [n] = await notificationsOf(hub, alert.id, (ns) => ns[0]?.state === 'failed', 20_000)
  t.ok(n.attempts >= 2, `retried before giving up (${n.attempts} attempts)`)
  t.ok(
    ms(n.attemptList.at(-1).finishedAt) <= ms(n.deadlineAt) + 5_000,
    'no retry is scheduled past the deadline',
  )
  await until(hub, '/api/v1/alerts?type=delivery-failure', (b: any) =>
    b.items.some((a: any) => a.relatedAlertId === alert.id),
  )
})
