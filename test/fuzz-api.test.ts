// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import fc from 'fast-check'
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'
import { arbitraryFor, nastyString, type Schema } from './fixtures/schema-arbitrary.js'

// Property (issue 13, item 9): every request built from the API's own schemas (the OpenAPI document) — path
// ids real and made up, queries and bodies mostly plausible, sometimes nasty, sometimes not JSON at all, as each
// role — answers below 500, and an error answer is in the hub's format. Afterwards the hub is healthy and a
// neighbour's alarm still opens its alert. Bounded: FUZZ_RUNS requests (default 300), FUZZ_SEED to replay.

const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined

/** Routes that end the caller's own session: fuzzing them would only log the fuzzer out. */
const SKIP = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/password'])

interface Operation {
  method: string
  path: string
  pathParams: string[]
  query: { name: string; schema: Schema }[]
  body?: Schema
}

function operations(doc: any): Operation[] {
  const ops: Operation[] = []
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    if (!path.startsWith('/api/v1/')) continue
    for (const [method, op] of Object.entries<any>(item)) {
      const m = method.toUpperCase()
      if (SKIP.has(`${m} ${path}`)) continue
      const params: any[] = op.parameters ?? []
      ops.push({
        method: m,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: op.requestBody?.content?.['application/json']?.schema,
      })
    }
  }
  return ops
}

/** Bodies that are not what the content type says. */
const rawBodies = fc.constantFrom(
  { type: 'application/json', text: '{' },
  { type: 'application/json', text: '[1,' },
  { type: 'application/json', text: '"\\u0000"' },
  { type: 'application/json', text: '{"a":"\\ud800"}' },
  { type: 'application/json', text: '1e999' },
  { type: 'text/plain', text: 'hello' },
  { type: 'application/x-www-form-urlencoded', text: 'a=1&b=2' },
  { type: 'text/csv', text: 'type\n"unclosed' },
)

function queryString(values: Record<string, unknown>) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue
    for (const one of Array.isArray(v) ? v : [v]) {
      q.append(k, typeof one === 'object' && one !== null ? JSON.stringify(one) : String(one))
    }
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

t.test('fuzzed API requests never answer 5xx', async (t) => {
  const h = await startTestHub(t)
  const neighbour = await h.provision('call-button')
  const neighbourDevice = await h.connectDevice(neighbour.device)
  const feed = await h.live()

  // what the fuzzer may name and change: its own institution, resident, device and users
  const fuzz = await h.provision('smoke-detector', { kind: 'institution' })
  const operator = await h.create('/api/v1/users', {
    username: 'f-op',
    password: 'fuzz-operator-1',
    role: 'operator',
  })
  const staff = await h.create('/api/v1/users', {
    username: 'f-staff',
    password: 'fuzz-staff-pw-1',
    role: 'staff',
    siteIds: [fuzz.site.id],
  })
  const tokens: Record<string, string | undefined> = {
    admin: h.token,
    operator: await h.login('f-op', 'fuzz-operator-1'),
    staff: await h.login('f-staff', 'fuzz-staff-pw-1'),
    none: undefined,
  }
  const known = [fuzz.site.id, fuzz.resident.id, fuzz.device.id, operator.id, staff.id]

  const doc = await (await fetch(`${h.base}/docs/json`)).json()
  const ops = operations(doc)
  t.ok(ops.length > 40, `${ops.length} operations from the OpenAPI document`)

  const pathValue = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: nastyString.map((s) => s.replaceAll('/', '%2F')) },
  )
  const request = fc.constantFrom(...ops).chain((op) =>
    fc.record({
      op: fc.constant(op),
      params: fc.tuple(...op.pathParams.map(() => pathValue)),
      query: fc.record(Object.fromEntries(op.query.map((q) => [q.name, arbitraryFor(q.schema)])), {
        requiredKeys: [],
      }),
      body: op.body
        ? fc.oneof(
            {
              weight: 6,
              arbitrary: arbitraryFor(op.body).map((v) => ({
                type: 'application/json',
                text: JSON.stringify(v),
              })),
            },
            { weight: 1, arbitrary: rawBodies },
          )
        : fc.constant(undefined),
      who: fc.constantFrom('admin', 'admin', 'admin', 'operator', 'staff', 'none'),
    }),
  )

  const failures: string[] = []
  await fc.assert(
    fc.asyncProperty(request, async ({ op, params, query, body, who }) => {
      let i = 0
      const path = op.path.replace(/\{[^}]+\}/g, () => String(params[i++]))
      const url = `${h.base}${path}${queryString(query)}`
      const token = tokens[who]
      const res = await fetch(url, {
        method: op.method,
        headers: {
          ...(body && { 'content-type': body.type }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: body?.text,
      })
      const text = await res.text()
      const what = `${op.method} ${url.slice(h.base.length, 300)} as ${who} ${body ? body.text.slice(0, 200) : ''}`
      if (res.status >= 500) failures.push(`${res.status} ${what} → ${text.slice(0, 200)}`)
      else if (res.status >= 400 && !op.path.startsWith('/api/v1/family-ack/')) {
        const json = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null
        if (!/^HUB_ERR_/.test(json?.error ?? '') || typeof json?.message !== 'string')
          failures.push(`${res.status} not in the hub's error format: ${what} → ${text.slice(0, 200)}`)
      }
      return true
    }),
    { numRuns: RUNS, seed: SEED },
  )
  t.same(failures, [], 'no 5xx, every error in the hub format')

  t.equal((await h.api('GET', '/healthz')).status, 200, 'the hub is healthy')
  const id = await neighbourDevice.event('sos')
  const opened = await feed.waitFor(
    (m) => m.kind === 'alert.opened' && m.data.deviceId === neighbour.device.id,
  )
  t.equal(opened.data.event?.id, id, "the neighbour's alarm still arrives")
})
