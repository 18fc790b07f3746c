// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers

import { hostname } from 'node:os'
import t from 'tap'
import { scene, until } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { startWebhookReceiver } from './fixtures/receivers.js'

// SSRF (issue 13): without HUB_OUTBOUND_ALLOW naming them, loopback, private and link-local targets are refused
// when registered (400) and again at send time on the resolved address, where a name registered as harmless
// may point.

t.test('outbound targets', async (t) => {
  // an empty value is unset: nothing private is allowed (the fixture allows loopback for other tests)
  const h = await startTestHub(t, { HUB_OUTBOUND_ALLOW: '' })
  const { api, token } = h
  const { site } = await h.provision('smoke-detector', { kind: 'institution' })

  await t.test('refused when registered', async (t) => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://192.168.1.1/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      const user = await api(
        'POST',
        '/api/v1/users',
        {
          username: `u${Math.random()}`.replace('.', ''),
          password: 'long enough 1',
          role: 'operator',
          webhook: url,
        },
        token,
      )
      t.same([user.status, user.body.details?.[0]?.field], [400, 'body.webhook'], `a user's webhook ${url}`)
      const centre = await api(
        'POST',
        `/api/v1/sites/${site.id}/monitoring-centres`,
        { name: 'c', url },
        token,
      )
      t.same([centre.status, centre.body.error], [400, 'HUB_ERR_VALIDATION'], `a monitoring centre ${url}`)
    }
    const contact = await api(
      'POST',
      '/api/v1/residents',
      {
        siteId: site.id,
        name: 'R',
        abilityLevel: 1,
        contacts: [{ name: 'son', relation: 'son', webhook: 'http://127.0.0.1/x' }],
      },
      token,
    )
    t.same(
      [contact.status, contact.body.details?.[0]?.field],
      [400, 'body.contacts.0.webhook'],
      "a contact's webhook",
    )
    const ok = await api(
      'POST',
      `/api/v1/sites/${site.id}/monitoring-centres`,
      { name: 'c', url: 'https://centre.example.org/fire' },
      token,
    )
    t.equal(ok.status, 201, 'a public name is fine')
  })

  await t.test('refused at send time on the resolved address', async (t) => {
    const hook = await startWebhookReceiver(t)
    // this machine's name is no address literal and not `localhost`, so it registers; it resolves to a
    // loopback or private address (/etc/hosts), where the hub must not send
    const url = `http://${hostname()}:${new URL(hook.url).port}/hook`
    const s = await scene(h, {
      steps: [{ name: 'family', targets: ['family'], waitSeconds: 3600 }],
      contacts: [{ name: 'son', relation: 'son', webhook: url }],
    })
    await (await h.connectDevice(s.device)).event('sos')
    const alerts = await until(
      h,
      `/api/v1/alerts?residentId=${s.resident.id}`,
      (b: any) => b.items.length > 0,
    )
    const route = await until(h, `/api/v1/alerts/${alerts.items[0].id}/notifications`, (b: any) =>
      b.items.some((n: any) => n.attemptList?.length > 0),
    )
    const attempt = route.items.find((n: any) => n.attemptList?.length > 0).attemptList[0]
    t.match(
      attempt.error,
      /refused: .*private address/,
      `refused, not retried as a network error (${attempt.error})`,
    )
    t.equal(hook.requests.length, 0, 'the receiver heard nothing')
  })
})
