// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// An institution's topology (places) and the rule that a device's location names one of its places.

t.test('topology', async (t) => {
  const h = await startTestHub(t)
  const { api, token } = h
  const site = await h.create('/api/v1/sites', { kind: 'institution', name: 'Sunny Home', address: '1 Road' })
  const home = await h.create('/api/v1/sites', { kind: 'home', name: 'Li family', address: '2 Lane' })
  const places = `/api/v1/sites/${site.id}/places`
  const add = (body: unknown) => h.create(places, body)

  // before any place exists, locations are free text as before
  const early = await h.create('/api/v1/devices', {
    type: 'smoke-detector',
    siteId: site.id,
    location: { building: 'Old wing' },
  })

  const a = await add({ kind: 'building', name: 'A' })
  const f2 = await add({ kind: 'floor', name: '2', parentId: a.id })
  const east = await add({ kind: 'zone', name: 'east', parentId: f2.id })
  const r201 = await add({ kind: 'room', name: '201', parentId: east.id })
  const bed1 = await add({ kind: 'bed', name: '1', parentId: r201.id })
  // levels may be skipped: a room straight on a floor
  const r250 = await add({ kind: 'room', name: '250', parentId: f2.id })

  await t.test('places carry the path that names them', async (t) => {
    t.same(a.path, { building: 'A' })
    t.match(bed1, { kind: 'bed', name: '1', parentId: r201.id, siteId: site.id })
    t.same(bed1.path, { building: 'A', floor: '2', zone: 'east', room: '201', bed: '1' })
    t.same(r250.path, { building: 'A', floor: '2', room: '250' })
    const floors = await api('GET', `${places}?kind=floor`, undefined, token)
    t.same(
      floors.body.items.map((p: any) => p.id),
      [f2.id],
    )
    const underFloor = await api('GET', `${places}?parentId=${f2.id}`, undefined, token)
    t.same(underFloor.body.items.map((p: any) => p.name).sort(), ['250', 'east'])
    t.equal((await api('GET', `${places}/${bed1.id}`, undefined, token)).body.id, bed1.id)
  })

  await t.test('a place must fit the tree', async (t) => {
    const cases: [unknown, number, string, string?][] = [
      [{ kind: 'floor', name: '3' }, 400, 'HUB_ERR_VALIDATION', 'body.parentId'],
      [{ kind: 'building', name: 'B', parentId: a.id }, 400, 'HUB_ERR_VALIDATION', 'body.parentId'],
      [{ kind: 'floor', name: 'x', parentId: r201.id }, 400, 'HUB_ERR_VALIDATION', 'body.parentId'],
      [{ kind: 'room', name: 'x', parentId: 'plc_nope' }, 400, 'HUB_ERR_UNKNOWN_REFERENCE', 'body.parentId'],
      [{ kind: 'wing', name: 'x' }, 400, 'HUB_ERR_VALIDATION', 'body.kind'],
      [{ kind: 'building', name: '' }, 400, 'HUB_ERR_VALIDATION', 'body.name'],
      [{ kind: 'zone', name: 'east', parentId: f2.id }, 409, 'HUB_ERR_ALREADY_EXISTS'],
    ]
    for (const [body, status, error, field] of cases) {
      const res = await api('POST', places, body, token)
      t.equal(res.status, status, JSON.stringify(body))
      t.equal(res.body.error, error)
      if (field) t.equal(res.body.details[0].field, field)
    }
    const other = await h.create('/api/v1/sites', { kind: 'institution', name: 'Other', address: '3 Road' })
    const foreign = await api(
      'POST',
      `/api/v1/sites/${other.id}/places`,
      { kind: 'floor', name: '1', parentId: a.id },
      token,
    )
    t.equal(foreign.body.error, 'HUB_ERR_UNKNOWN_REFERENCE', "another site's place is no parent")
    const onHome = await api(
      'POST',
      `/api/v1/sites/${home.id}/places`,
      { kind: 'building', name: 'A' },
      token,
    )
    t.equal(onHome.status, 409, 'a home has no topology')
    t.equal(onHome.body.error, 'HUB_ERR_CONFLICT')
  })

  await t.test('devices at an institution with a topology name a place', async (t) => {
    const create = (body: Record<string, unknown>) =>
      api('POST', '/api/v1/devices', { siteId: site.id, type: 'smoke-detector', ...body }, token)
    const ok = await create({ location: { building: 'A', floor: '2', zone: 'east', room: '201' } })
    t.equal(ok.status, 201)
    t.equal((await create({ location: { building: 'A', floor: '2', room: '250' } })).status, 201)
    t.equal((await create({ location: { building: 'A', floor: '2' } })).status, 201, 'a floor is a place')

    const wrongZone = await create({ location: { building: 'A', floor: '2', zone: 'west', room: '201' } })
    t.equal(wrongZone.status, 400)
    t.equal(wrongZone.body.error, 'HUB_ERR_UNKNOWN_REFERENCE')
    t.same(wrongZone.body.details, [
      { field: 'body.location.zone', message: 'no zone "west" under building "A", floor "2"' },
    ])
    const skipped = await create({ location: { building: 'A', floor: '2', room: '201' } })
    t.equal(
      skipped.body.details[0].field,
      'body.location.room',
      'room 201 is in zone east: the zone must be named',
    )
    const none = await create({})
    t.equal(none.status, 400, 'a smoke detector must name a place')
    t.equal(none.body.details[0].field, 'body.location.building')
    const button = await api('POST', '/api/v1/devices', { siteId: site.id, type: 'call-button' }, token)
    t.equal(button.status, 201, 'a pendant need not name a place')
    const badButton = await api(
      'POST',
      '/api/v1/devices',
      { siteId: site.id, type: 'call-button', location: { building: 'Z' } },
      token,
    )
    t.equal(badButton.body.details[0].field, 'body.location.building', 'but what it names must exist')

    const homeDevice = await api(
      'POST',
      '/api/v1/devices',
      { siteId: home.id, type: 'smoke-detector', location: { room: 'kitchen' } },
      token,
    )
    t.equal(homeDevice.status, 201, 'homes are unaffected')

    const patchBad = await api(
      'PATCH',
      `/api/v1/devices/${ok.body.id}`,
      { location: { building: 'B' } },
      token,
    )
    t.equal(patchBad.body.details[0].field, 'body.location.building', 'a PATCH is checked too')
    const patchOk = await api('PATCH', `/api/v1/devices/${ok.body.id}`, { location: bed1.path }, token)
    t.same(patchOk.body.location, bed1.path)
    const resident = await h.create('/api/v1/residents', { siteId: site.id, name: 'Wang', abilityLevel: 1 })
    const untouched = await api('PATCH', `/api/v1/devices/${early.id}`, { residentId: resident.id }, token)
    t.equal(untouched.status, 200, 'a PATCH that does not relocate keeps an old location')
    t.same(untouched.body.location, { building: 'Old wing' })
  })

  await t.test('renaming a place moves its subtree and its devices with it', async (t) => {
    const dev = await h.create('/api/v1/devices', {
      type: 'smoke-detector',
      siteId: site.id,
      location: { building: 'A', floor: '2', room: '250' },
    })
    const renamed = await api('PATCH', `${places}/${f2.id}`, { name: '2F' }, token)
    t.equal(renamed.status, 200)
    t.same(renamed.body.path, { building: 'A', floor: '2F' })
    t.same((await api('GET', `${places}/${bed1.id}`, undefined, token)).body.path, {
      building: 'A',
      floor: '2F',
      zone: 'east',
      room: '201',
      bed: '1',
    })
    t.same((await api('GET', `/api/v1/devices/${dev.id}`, undefined, token)).body.location, {
      building: 'A',
      floor: '2F',
      room: '250',
    })
    t.same((await api('GET', `/api/v1/devices/${early.id}`, undefined, token)).body.location, {
      building: 'Old wing',
    })
  })

  await t.test('deleting: only a leaf no device is located at', async (t) => {
    const withChildren = await api('DELETE', `${places}/${east.id}`, undefined, token)
    t.equal(withChildren.status, 409)
    t.equal(withChildren.body.error, 'HUB_ERR_IN_USE')
    const located = await api('DELETE', `${places}/${r250.id}`, undefined, token)
    t.equal(located.body.error, 'HUB_ERR_IN_USE', 'a device is in room 250')
    const spare = await add({ kind: 'room', name: '299', parentId: f2.id })
    t.equal((await api('DELETE', `${places}/${spare.id}`, undefined, token)).status, 200)
    t.equal((await api('GET', `${places}/${spare.id}`, undefined, token)).status, 404)
  })

  await t.test('roles and scope', async (t) => {
    const staff = await addUser(h, 'staff', { siteIds: [site.id] })
    const outsider = await addUser(h, 'staff', { siteIds: [home.id] })
    const op = await addUser(h, 'operator')
    t.equal((await api('GET', places, undefined, staff.token)).status, 200, 'staff read their site')
    t.equal((await api('GET', places, undefined, outsider.token)).status, 404, 'not another site')
    t.equal((await api('GET', `${places}/${a.id}`, undefined, outsider.token)).status, 404)
    t.equal((await api('POST', places, { kind: 'building', name: 'C' }, op.token)).status, 403)
    t.equal((await api('PATCH', `${places}/${a.id}`, { name: 'C' }, staff.token)).status, 403)
    t.equal((await api('DELETE', `${places}/${bed1.id}`, undefined, op.token)).status, 403)
    const wrongSite = await api('GET', `/api/v1/sites/${home.id}/places/${a.id}`, undefined, token)
    t.equal(wrongSite.status, 404, 'a place is found only under its own site')
  })
})
