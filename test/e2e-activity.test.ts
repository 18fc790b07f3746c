// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'
import { metricValue, pollUntil } from './fixtures/mqtt.js'

// Activity monitoring through a real hub: a resident's activity setting over the API, an inactivity alert
// opened by the sweep, resolved by a motion reading sent over MQTT; a technical alert snoozed by an operator.

t.test('activity monitoring and snooze through the hub', async (t) => {
  const h = await startTestHub(t, { HUB_RULES_INTERVAL: '1s' })
  const { resident, device } = await h.provision('motion-sensor', { abilityLevel: 3 })
  const path = `/api/v1/residents/${resident.id}`
  const patch = (body: unknown) => h.api<any>('PATCH', path, body, h.token)

  await t.test('the activity setting is validated and shown back', async (t) => {
    t.equal(resident.activity, null, 'defaults until set')
    for (const bad of [
      { inactiveAfter: '4 hours', window: { from: '07:00', to: '22:00' } },
      { inactiveAfter: '4h', window: { from: '7:00', to: '22:00' } },
      { inactiveAfter: '4h', window: { from: '07:00', to: '24:30' } },
      { inactiveAfter: '4h', window: { from: '08:00', to: '08:00' } },
      { inactiveAfter: '9s', window: { from: '07:00', to: '22:00' } },
      { inactiveAfter: '4h' },
    ]) {
      const res = await patch({ activity: bad })
      t.equal(res.status, 400, JSON.stringify(bad))
    }
    const res = await patch({ activity: { inactiveAfter: '10s', window: { from: '00:00', to: '24:00' } } })
    t.equal(res.status, 200)
    t.same(res.body.activity, { inactiveAfter: '10s', window: { from: '00:00', to: '24:00' } })
  })

  await t.test('silence opens an inactivity alert; a motion reading resolves it', async (t) => {
    const alertsOf = () =>
      h.api<any>('GET', `/api/v1/alerts?type=inactivity&residentId=${resident.id}`, undefined, h.token)
    const opened = await pollUntil(alertsOf, (r) => r.body.items.some((a: any) => a.state === 'open'), 60_000)
    const alert = opened.body.items.find((a: any) => a.state === 'open')
    t.match(alert, { type: 'inactivity', priority: 2, residentId: resident.id, deviceId: null })

    const sensor = await h.connectDevice(device)
    await sensor.telemetry({ motion: 1 })
    const after = await pollUntil(
      () => h.api<any>('GET', `/api/v1/alerts/${alert.id}`, undefined, h.token),
      (r) => r.body.state === 'resolved',
      30_000,
    )
    t.match(after.body, { state: 'resolved', outcome: 'activity', resolvedBy: 'hub' })

    const text = await (await fetch(`${h.base}/metrics`)).text()
    t.ok(metricValue(text, 'hub_rule_alerts_opened_total', { rule: 'inactivity' }) >= 1)
    t.ok(metricValue(text, 'hub_rules_evaluated_total', { rule: 'inactivity' }) >= 1)

    const back = await patch({ activity: null })
    t.equal(back.body.activity, null, 'null returns to the defaults')
  })

  await t.test('an operator snoozes a technical alert, not a resolved inactivity alert', async (t) => {
    const sensor = await h.connectDevice({ ...device })
    await sensor.event('tamper')
    const list = await pollUntil(
      () => h.api<any>('GET', `/api/v1/alerts?type=tamper&deviceId=${device.id}`, undefined, h.token),
      (r) => r.body.items.length > 0,
      30_000,
    )
    const tamper = list.body.items[0]
    const bad = await h.api<any>('POST', `/api/v1/alerts/${tamper.id}/snooze`, { for: '9d' }, h.token)
    t.equal(bad.status, 400)
    const res = await h.api<any>(
      'POST',
      `/api/v1/alerts/${tamper.id}/snooze`,
      { for: '2h', note: 'visit Monday' },
      h.token,
    )
    t.equal(res.status, 200)
    const entry = res.body.history.at(-1)
    t.match(entry, { kind: 'snoozed', actor: 'admin', note: 'visit Monday' })
    t.equal(Date.parse(entry.data.until) - Date.parse(entry.at), 2 * 3_600_000)
    t.equal(res.body.state, 'open', 'it stays open')

    const inactive = await h.api<any>(
      'GET',
      `/api/v1/alerts?type=inactivity&residentId=${resident.id}`,
      undefined,
      h.token,
    )
    const life = await h.api<any>(
      'POST',
      `/api/v1/alerts/${inactive.body.items[0].id}/snooze`,
      { for: '1h' },
      h.token,
    )
    t.equal(life.status, 409)
  })
})
