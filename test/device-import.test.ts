// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// Bulk import of a detector list: good rows become devices (with working secrets), bad rows are reported
// with their reasons and stop nothing.

t.test('device import', async (t) => {
  const h = await startTestHub(t)
  const { api, token } = h
  const site = await h.create('/api/v1/sites', { kind: 'institution', name: 'Sunny Home', address: '1 Road' })
  const other = await h.create('/api/v1/sites', { kind: 'institution', name: 'Other', address: '2 Road' })
  const resident = await h.create('/api/v1/residents', { siteId: site.id, name: 'Wang', abilityLevel: 2 })
  const stranger = await h.create('/api/v1/residents', { siteId: other.id, name: 'Zhao', abilityLevel: 1 })
  const places = `/api/v1/sites/${site.id}/places`
  const a = await h.create(places, { kind: 'building', name: 'A' })
  const f1 = await h.create(places, { kind: 'floor', name: '1', parentId: a.id })
  const z1 = await h.create(places, { kind: 'zone', name: 'Z1', parentId: f1.id })
  const room = await h.create(places, { kind: 'room', name: '101, east', parentId: z1.id })
  await h.create(places, { kind: 'bed', name: '1', parentId: room.id })
  const url = `${h.base}/api/v1/sites/${site.id}/devices/import`

  const postCsv = async (csv: string, auth = token) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${auth}` },
      body: csv,
    })
    return { status: res.status, body: (await res.json()) as any }
  }

  await t.test('CSV: good rows become devices, bad rows say why', async (t) => {
    const csv = [
      '\uFEFFtype,building,floor,zone,room,bed,residentId',
      'smoke-detector,A,1,Z1,,,',
      `smoke-detector,A,1,Z1,"101, east",1,${resident.id}`,
      'smoke-detector,A,1,Z9,,,',
      'toaster,A,1,Z1,,,',
      'smoke-detector,,,,,,',
      `smoke-detector,A,1,Z1,,,${stranger.id}`,
      'smoke-detector,A,1',
      '',
      `call-button,,,,,,${resident.id}`,
    ].join('\r\n')
    const { status, body } = await postCsv(csv)
    t.equal(status, 200)
    t.same(
      body.accepted.map((r: any) => r.row),
      [1, 2, 8],
      'rows 1, 2 and the call button (row 8: blank lines do not count)',
    )
    const reasons = Object.fromEntries(body.rejected.map((r: any) => [r.row, r.errors]))
    t.same(Object.keys(reasons).map(Number), [3, 4, 5, 6, 7])
    t.same(reasons[3], [{ field: 'zone', message: 'no zone "Z9" under building "A", floor "1"' }])
    t.equal(reasons[4][0].field, 'type')
    t.equal(reasons[5][0].field, 'building', 'a smoke detector must name a place')
    t.match(reasons[5][0].message, /must name a place/)
    t.same(reasons[6], [{ field: 'residentId', message: 'no resident with this id at this site' }])
    t.same(reasons[7], [{ field: 'row', message: 'has 3 fields; the header has 7' }])

    const second = body.accepted[1]
    const dev = await api('GET', `/api/v1/devices/${second.id}`, undefined, token)
    t.same(dev.body.location, { building: 'A', floor: '1', zone: 'Z1', room: '101, east', bed: '1' })
    t.equal(dev.body.residentId, resident.id)
    t.equal(dev.body.siteId, site.id)
    // the secret returned is the device's: it can connect and publish with it
    const device = await h.connectDevice({ id: second.id, secret: second.secret })
    await device.telemetry({ battery: 77 })
    const seen = await api('GET', `/api/v1/devices/${second.id}`, undefined, token)
    t.equal(seen.body.battery, 77)
  })

  await t.test('JSON array: the same rules', async (t) => {
    const res = await api(
      'POST',
      `/api/v1/sites/${site.id}/devices/import`,
      [
        { type: 'smoke-detector', building: 'A', floor: '1', zone: 'Z1' },
        { type: 'smoke-detector', building: 'A', floor: '1', zone: 'Z1', colour: 'red' },
        'not a row',
        { type: 'smoke-detector', building: 'A', floor: 1 },
      ],
      token,
    )
    t.equal(res.status, 200)
    t.same(
      res.body.accepted.map((r: any) => r.row),
      [1],
    )
    t.match(res.body.accepted[0], { id: /^dev_/, secret: /.{20,}/ })
    const reasons = Object.fromEntries(res.body.rejected.map((r: any) => [r.row, r.errors]))
    t.equal(reasons[2][0].field, 'colour', 'an unknown field is named')
    t.same(reasons[3], [{ field: 'row', message: 'must be an object' }])
    t.equal(reasons[4][0].field, 'floor', 'a number is not a place name')
    const listed = await api('GET', `/api/v1/devices?siteId=${site.id}`, undefined, token)
    t.equal(listed.body.items.length, 4, 'three CSV rows and one JSON row were created, nothing else')
  })

  await t.test('whole-file problems fail the request', async (t) => {
    const unknownColumn = await postCsv('type,wing\nsmoke-detector,A\n')
    t.equal(unknownColumn.status, 400)
    t.equal(unknownColumn.body.error, 'HUB_ERR_VALIDATION')
    t.match(unknownColumn.body.message, /header/)
    t.equal((await postCsv('building,floor\nA,1\n')).status, 400, 'type is required')
    t.equal((await postCsv('type,building\n"smoke-detector,A\n')).status, 400, 'an unclosed quote')
    t.equal((await postCsv('')).status, 400, 'no header')
    const tooMany = `type\n${'call-button\n'.repeat(5001)}`
    const big = await postCsv(tooMany)
    t.equal(big.status, 400)
    t.match(big.body.message, /5000/)
    const bigJson = await api(
      'POST',
      `/api/v1/sites/${site.id}/devices/import`,
      Array.from({ length: 5001 }, () => ({ type: 'call-button' })),
      token,
    )
    t.equal(bigJson.status, 400)
    const listed = await api('GET', `/api/v1/devices?siteId=${site.id}`, undefined, token)
    t.equal(listed.body.items.length, 4, 'nothing was created by refused files')
  })

  await t.test('admin only; the site must exist', async (t) => {
    const staff = await addUser(h, 'staff', { siteIds: [site.id] })
    t.equal((await postCsv('type\ncall-button\n', staff.token)).status, 403)
    const missing = await api('POST', '/api/v1/sites/site_nope/devices/import', [], token)
    t.equal(missing.status, 404)
  })
})
