// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { until, WEBHOOK_SECRET } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// Escalation steps run in batches (many claimed alerts per transaction, each query once per batch): a burst of
// alarms at two sites with different policies and residents. Every alert gets exactly one first step, by its
// own site's policy, and every family contact exactly one webhook about their own resident's alert.

const PER_SITE = 12

t.test(
  'a burst of alarms at two sites: one step each, by its own policy, each contact told once',
  async (t) => {
    const hookA = await startWebhookReceiver(t, { secret: WEBHOOK_SECRET })
    const hookB = await startWebhookReceiver(t, { secret: WEBHOOK_SECRET })
    const hub = await startTestHub(t, { HUB_WEBHOOK_SECRET: WEBHOOK_SECRET })

    const site = async (kind: 'home' | 'institution', steps: unknown[], contacts: unknown[]) => {
      const s = await hub.create('/api/v1/sites', { kind, name: `Batch ${kind}`, address: '5 Batch Road' })
      const policy = await hub.create('/api/v1/escalation-policies', {
        siteId: s.id,
        alertType: 'sos',
        name: `${kind} policy`,
        steps,
      })
      const resident = await hub.create('/api/v1/residents', {
        siteId: s.id,
        name: `Resident of ${kind}`,
        abilityLevel: 2,
        contacts,
      })
      const devices = []
      for (let i = 0; i < PER_SITE; i++) {
        devices.push(
          await hub.create('/api/v1/devices', { type: 'call-button', siteId: s.id, residentId: resident.id }),
        )
      }
      return { site: s, policy, resident, devices }
    }
    // a home tells two family contacts at once; an institution has nobody on duty (a gap alert) and one contact
    const a = await site(
      'home',
      [{ name: 'family', targets: ['family'], waitSeconds: 3600 }],
      [
        { name: 'Son', relation: 'son', webhook: hookA.url },
        { name: 'Daughter', relation: 'daughter', webhook: `${hookA.url}?daughter` },
      ],
    )
    const b = await site(
      'institution',
      [{ name: 'staff and family', targets: ['duty-staff', 'family'], waitSeconds: 3600 }],
      [{ name: 'Niece', relation: 'niece', webhook: hookB.url }],
    )

    const devices = await Promise.all([...a.devices, ...b.devices].map((d) => hub.connectDevice(d)))
    await Promise.all(devices.map((d) => d.event('sos')))

    await hookA.waitFor(2 * PER_SITE, 60_000)
    await hookB.waitFor(PER_SITE, 60_000)
    const page = await until(
      hub,
      '/api/v1/alerts?type=sos&limit=100',
      (body: any) =>
        body.items.length === 2 * PER_SITE &&
        body.items.every((x: any) => x.history.some((h: any) => h.kind === 'escalated')),
      60_000,
    )

    for (const [name, s, hook, contacts] of [
      ['home', a, hookA, 2],
      ['institution', b, hookB, 1],
    ] as const) {
      const alerts = page.items.filter((x: any) => x.siteId === s.site.id)
      t.equal(alerts.length, PER_SITE, `${name}: one alert per device`)
      const steps = alerts.map((x: any) => x.history.filter((h: any) => h.kind === 'escalated'))
      t.ok(
        steps.every(
          (e: any[]) => e.length === 1 && e[0].data.policyId === s.policy.id && e[0].data.index === 0,
        ),
        `${name}: each alert ran its first step once, by its own site's policy`,
      )
      t.ok(
        steps.every((e: any[]) => e[0].data.notifications.length === contacts),
        `${name}: each step names one notification per family contact`,
      )
      const bodies = hook.requests.map((r) => r.body as any)
      t.ok(
        hook.requests.every((r) => r.verified),
        `${name}: every webhook is signed`,
      )
      t.equal(
        new Set(bodies.map((m) => m.notificationId)).size,
        bodies.length,
        `${name}: no notification twice`,
      )
      t.ok(
        bodies.every((m) => m.resident.id === s.resident.id && m.site.id === s.site.id),
        `${name}: each message is about its own resident and site`,
      )
      t.same(
        new Set(bodies.map((m) => m.alertId)),
        new Set(alerts.map((x: any) => x.id)),
        `${name}: every alert reached the family`,
      )
      const perAlert = new Map<string, number>()
      for (const m of bodies) perAlert.set(m.alertId, (perAlert.get(m.alertId) ?? 0) + 1)
      t.ok(
        [...perAlert.values()].every((n) => n === contacts),
        `${name}: each contact told once per alert`,
      )
    }

    // the institution's gap is one alert whose count is the steps that found it, not one alert per step
    const gaps = await until(
      hub,
      `/api/v1/alerts?type=nobody-on-duty&siteId=${b.site.id}`,
      (body: any) => body.items.length > 0 && body.items[0].count === PER_SITE,
    )
    t.equal(gaps.items.length, 1, 'one nobody-on-duty alert for the institution, every step folded into it')
    const home = await hub.api(
      'GET',
      `/api/v1/alerts?type=nobody-on-duty&siteId=${a.site.id}`,
      undefined,
      hub.token,
    )
    t.equal(home.body.items.length, 0, 'a home without a roster is no gap')
  },
)
