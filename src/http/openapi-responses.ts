import type { RouteOptions } from 'fastify'
import { errorSchema } from '../contract/api-schemas.js'
import type { Rule } from './access-rules.js'

// The error answers every API route can give, added to its response schemas so the OpenAPI document tells the
// truth (test/openapi.test.ts checks it against what the routes answer): what a route declares itself stays.

const errorsFor = (method: string, url: string, rule: Rule | undefined) => [
  // a bad body, query, path parameter, %-escape or a NUL character
  400,
  ...(rule === 'public' ? [] : [401, 403]),
  // an unknown id, whatever its form
  ...(url.includes('/:') ? [404] : []),
  // a write may meet a state that forbids it (a taken name, an object still in use, a resolved alert)
  ...(['POST', 'PATCH', 'PUT', 'DELETE'].includes(method) ? [409] : []),
  ...(['POST', 'PATCH', 'PUT'].includes(method) ? [413] : []),
  // the database or the broker is not reachable
  503,
]

export function declareResponses(route: RouteOptions, rule: Rule | undefined) {
  const method = [route.method].flat()[0]!
  route.schema ??= {}
  const schema = route.schema
  if ((schema as { hide?: boolean }).hide) return
  schema.response ??= {}
  const response = schema.response as Record<string, unknown>
  for (const code of errorsFor(method, route.url, rule)) response[code] ??= errorSchema
}
