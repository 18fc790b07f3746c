// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { dbClient } from './fixtures/db.js'
import { until } from './fixtures/escalation.js'
import { startTestHub } from './fixtures/hub.js'
import { startSmsGateway, startWebhookReceiver } from './fixtures/receivers.js'

// A resident's personal data: the export holds everything about them; the erasure leaves no personal value in
// any row of any table (scanned, every table as text), while their alert still counts in the statistics; the
// retention sweep strips an old resolved alert's details.

/** Each a value that only this resident's data contains. */
const personal = {
  name: 'Qian Shufen-xq7',
  birthDate: '1937-05-04',
  condition: 'diabetes-xq7',
  contactName: 'Qian Lei-xq7',
  phone: '+8613900007777',
  email: 'qianlei-xq7@example.test',
  findings: 'lonely-xq7, fridge empty',
  note: 'spoke to Shufen-xq7',
}

t.test('personal data', async (t) => {
  const sms = await startSmsGateway(t)
  const hook = await startWebhookReceiver(t)
  const h = await startTestHub(t, {
    SMS_GATEWAY_URL: sms.url,
    HUB_OUTBOUND_ALLOW: '127.0.0.0/8',
    HUB_RETENTION_INTERVAL: '1s',
    HUB_ALERT_DETAILS_RETENTION: '1d',
  })
  const db = await dbClient(t, h.hub.databaseUrl)
  const site = await h.create('/api/v1/sites', { kind: 'home', name: 'Qian home', address: '7 Road' })
  await h.create('/api/v1/escalation-policies', {
    siteId: site.id,
    alertType: 'sos',
    name: 'family first',
    steps: [{ name: 'family', targets: ['family'], waitSeconds: 600 }],
  })
  const resident = await h.create('/api/v1/residents', {
    siteId: site.id,
    name: personal.name,
    abilityLevel: 2,
    birthDate: personal.birthDate,
    conditions: [personal.condition],
    specialDifficulty: true,
    contacts: [
      {
        name: personal.contactName,
        relation: 'son',
        phone: personal.phone,
        email: personal.email,
        webhook: `${hook.url}?who=xq7-hook`,
      },
    ],
  })
  const device = await h.create('/api/v1/devices', {
    type: 'call-button',
    siteId: site.id,
    residentId: resident.id,
  })
  const button = await h.connectDevice(device)
  const feed = await h.live()
  await button.telemetry({ battery: 87 })
  await button.event('sos')
  const alertId: string = (await feed.waitFor((m) => m.kind === 'alert.opened')).data.id
  // the family were told by SMS and webhook, with the resident's name in the message
  await until(
    h,
    `/api/v1/alerts/${alertId}/notifications`,
    (b) => b.items.filter((n: any) => n.state === 'delivered').length >= 2,
  )
  await h.api('POST', `/api/v1/alerts/${alertId}/ack`, { note: personal.note }, h.token)
  await h.api('POST', `/api/v1/alerts/${alertId}/resolve`, { outcome: `${personal.name} is fine` }, h.token)
  await h.api(
    'POST',
    `/api/v1/residents/${resident.id}/visits`,
    { at: new Date().toISOString(), visitor: 'Li Wei', kind: 'in-person', findings: personal.findings },
    h.token,
  )
  await until(h, `/api/v1/devices/${device.id}/readings`, (b) => b.items.length > 0)

  await t.test('the export holds everything about the resident', async (t) => {
    const res = await h.api('GET', `/api/v1/residents/${resident.id}/export`, undefined, h.token)
    t.equal(res.status, 200)
    const e = res.body
    t.match(e.resident, { id: resident.id, name: personal.name, birth_date: personal.birthDate })
    t.equal(e.visits[0].findings, personal.findings)
    t.same(
      e.devices.map((d: any) => d.id),
      [device.id],
    )
    t.same(
      e.alerts.map((a: any) => a.id),
      [alertId],
    )
    t.ok(e.alertHistory.some((x: any) => x.note === personal.note))
    t.ok(e.notifications.length >= 2)
    t.ok(e.events.length >= 1)
    t.ok(e.readings.some((r: any) => JSON.stringify(r).includes('87')))
    t.equal(e.readingsTruncated, false)
    t.ok(e.accessLog.length >= 1, 'who read or changed the record')
    t.notOk(JSON.stringify(e).includes('secret'), 'no device secret')
    const operator = await h.create('/api/v1/users', {
      username: 'op-pd',
      password: 'op-pd-password',
      role: 'operator',
    })
    t.ok(operator.id)
    const token = await h.login('op-pd', 'op-pd-password')
    t.equal((await h.api('GET', `/api/v1/residents/${resident.id}/export`, undefined, token)).status, 403)
    t.equal((await h.api('POST', `/api/v1/residents/${resident.id}/erase`, undefined, token)).status, 403)
  })

  await t.test('erasure leaves no personal value in any row; the alert still counts', async (t) => {
    const res = await h.api('POST', `/api/v1/residents/${resident.id}/erase`, undefined, h.token)
    t.equal(res.status, 200)
    t.match(res.body, { id: resident.id, alerts: 1, devices: 1, visits: 1 })
    t.equal((await h.api('GET', `/api/v1/residents/${resident.id}`, undefined, h.token)).status, 404)
    t.equal((await h.api('POST', `/api/v1/residents/${resident.id}/erase`, undefined, h.token)).status, 404)

    const { rows: tables } = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    )
    t.ok(tables.length > 15, 'every table is scanned')
    const patterns = Object.values(personal).map((v) => `%${v.replace(/[+%_]/g, '')}%`)
    for (const { table_name } of tables) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM "${table_name}" AS t WHERE t::text ILIKE ANY($1)`,
        [patterns],
      )
      t.equal(rows[0].n, 0, `no personal value left in ${table_name}`)
      const { rows: ids } = await db.query(
        `SELECT count(*)::int AS n FROM "${table_name}" AS t WHERE t::text LIKE $1`,
        [`%${resident.id}%`],
      )
      // the access audit is append-only: it keeps the id, which now names no one
      if (table_name !== 'audit_log') t.equal(ids[0].n, 0, `no link to the resident left in ${table_name}`)
    }

    const alert = await h.api('GET', `/api/v1/alerts/${alertId}`, undefined, h.token)
    t.match(alert.body, {
      type: 'sos',
      siteId: site.id,
      residentId: null,
      deviceId: device.id,
      state: 'resolved',
      outcome: 'erased',
    })
    const stats = await h.api('GET', `/api/v1/stats/alerts?siteId=${site.id}`, undefined, h.token)
    t.equal(stats.body.total, 1, 'the anonymised alert still counts')
    const devices = await h.api('GET', `/api/v1/devices/${device.id}`, undefined, h.token)
    t.equal(devices.body.residentId, null, 'the device stays at the site, unassigned')
  })

  await t.test('retention strips details of alerts resolved long ago', async (t) => {
    const other = await h.create('/api/v1/residents', { siteId: site.id, name: 'Sun Li', abilityLevel: 1 })
    const d2 = await h.create('/api/v1/devices', {
      type: 'call-button',
      siteId: site.id,
      residentId: other.id,
    })
    const b2 = await h.connectDevice(d2)
    await b2.event('sos')
    const id: string = (await feed.waitFor((m) => m.kind === 'alert.opened' && m.data.deviceId === d2.id))
      .data.id
    await h.api('POST', `/api/v1/alerts/${id}/resolve`, { outcome: 'handled', note: 'Sun Li fell' }, h.token)
    const recent = await db.query(
      'SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1 AND note IS NOT NULL',
      [id],
    )
    t.equal(recent.rows[0].n, 1, 'kept while recent')
    await db.query(`UPDATE alerts SET resolved_at = now() - interval '2 days' WHERE id = $1`, [id])
    for (let i = 0; i < 100; i++) {
      const { rows } = await db.query('SELECT details_erased_at FROM alerts WHERE id = $1', [id])
      if (rows[0].details_erased_at) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1 AND note IS NOT NULL`,
      [id],
    )
    t.equal(rows[0].n, 0, 'the note is gone')
    const alert = await h.api('GET', `/api/v1/alerts/${id}`, undefined, h.token)
    t.match(alert.body, { residentId: other.id, outcome: 'erased', type: 'sos' })
  })
})
