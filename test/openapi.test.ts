// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { startTestHub } from './fixtures/hub.js'

// OpenAPI tells the truth: walking the hub's route table, every API route is in the document with a success
// answer that has a schema (201 for a create) and the errors it can answer in the hub's format. That the
// statuses the routes really answer are the declared ones is checked by test/access-matrix.test.ts.

t.test('every route declares its responses', async (t) => {
  const h = await startTestHub(t)
  const doc = (await h.api('GET', '/docs/json')).body
  const hidden = new Set(['GET /api/v1/family-ack/:token', 'POST /api/v1/family-ack/:token'])
  const problems: string[] = []
  for (const route of h.hub.apiRoutes.filter((r) => !hidden.has(r))) {
    const [method, url] = route.split(' ') as [string, string]
    const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()]
    if (!op) {
      problems.push(`${route}: not in the document`)
      continue
    }
    const success = Object.keys(op.responses).filter((c) => c.startsWith('2'))
    if (success.length === 0) problems.push(`${route}: no success answer`)
    for (const code of success) {
      if (code !== '204' && !op.responses[code].content) problems.push(`${route}: ${code} has no schema`)
    }
    for (const code of ['400', '503']) {
      const schema = op.responses[code]?.content?.['application/json']?.schema
      if (!schema?.properties?.error) problems.push(`${route}: ${code} not in the hub's error format`)
    }
    if (!op.security?.length === false && !op.responses['401']) problems.push(`${route}: no 401`)
  }
  t.same(problems, [], 'no route leaves a response out')
  const creates = ['/sites', '/residents', '/devices', '/users', '/escalation-policies', '/api-keys']
  for (const path of creates) {
    t.ok(doc.paths[`/api/v1${path}`].post.responses['201'], `POST ${path} declares 201`)
  }
})
