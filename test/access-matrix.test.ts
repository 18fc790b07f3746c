// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { accessRule } from '../src/http/access-rules.js'
import { roles } from '../src/store/users.js'
import { startTestHub } from './fixtures/hub.js'
import { addUser } from './fixtures/people.js'

// The route × role matrix, generated from the hub's own route table: every API route has a rule, each role
// the rule leaves out is refused (403) before anything else is looked at, each role it names gets past the
// role check (whatever the route then answers), and no one gets in without a credential (401).

t.test('route × role matrix', async (t) => {
  const h = await startTestHub(t)
  const { site, resident } = await h.provision('call-button', { kind: 'institution' })
  const tokens: Record<string, string> = { admin: h.token }
  const scopeOf: Record<string, Record<string, unknown>> = {
    staff: { siteIds: [site.id] },
    'county-centre': { district: 'Xihu' },
    family: { residentIds: [resident.id] },
  }
  for (const role of roles.filter((r) => r !== 'admin')) {
    tokens[role] = (await addUser(h, role, scopeOf[role] ?? {})).token
  }

  const routes = [...h.hub.apiRoutes]
  // logging out ends the token the rest of the matrix uses: last
  routes.sort((a, b) => Number(a.endsWith('/auth/logout')) - Number(b.endsWith('/auth/logout')))
  t.ok(routes.length > 60, `the route table (${routes.length} routes)`)

  const missing = routes.filter((r) => accessRule(r.split(' ')[0]!, r.split(' ')[1]!) === undefined)
  t.same(missing, [], 'every API route has an access rule')

  // every answer below must be one the OpenAPI document declares for that operation
  const doc = (await h.api('GET', '/docs/json')).body
  const undeclared = new Set<string>()
  const declared = (method: string, pattern: string, status: number) =>
    Boolean(doc.paths[pattern.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()]?.responses[status])

  for (const route of routes) {
    const [method, pattern] = route.split(' ') as [string, string]
    const rule = accessRule(method, pattern)
    if (rule === undefined || rule === 'public') continue
    const path = pattern.replace(/:(\w+)/g, 'nope_$1')
    const body = ['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined
    const anonymous = await h.api(method, path, body)
    t.equal(anonymous.status, 401, `${route} without a token`)
    for (const role of roles) {
      const res = await h.api(method, path, body, tokens[role])
      if (!declared(method, pattern, res.status)) undeclared.add(`${route} ${res.status}`)
      if (rule.includes(role)) {
        t.notOk([401, 403].includes(res.status), `${route} lets ${role} in (${res.status})`)
      } else {
        t.same([res.status, res.body.error], [403, 'HUB_ERR_FORBIDDEN'], `${route} refuses ${role}`)
      }
    }
  }
  t.same([...undeclared], [], 'OpenAPI declares every status the routes answered')
})
