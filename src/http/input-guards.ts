import type { FastifyReply, FastifyRequest } from 'fastify'
import { HubError } from '../errors.js'

// Bad input the schemas do not see, answered as the hub's own 400 rather than a 500 or the framework's format
// (CONTRACT.md, "HTTP API"): NUL characters, which PostgreSQL refuses in text, and URLs the router cannot decode.

/** The first path to a string holding a NUL character, e.g. `body.contacts.0.name`, or null. */
function nulAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null
  if (typeof value !== 'object' || value === null || depth > 32) return null
  for (const [k, v] of Object.entries(value)) {
    const found = nulAt(v, `${path}.${k}`, depth + 1) ?? (k.includes('\u0000') ? `${path}.${k}` : null)
    if (found) return found
  }
  return null
}

/** preValidation hook: refuses a NUL anywhere in the path parameters, the query or a JSON body. */
export async function refuseNulBytes(req: FastifyRequest) {
  const field = nulAt(req.params, 'params') ?? nulAt(req.query, 'querystring') ?? nulAt(req.body, 'body')
  if (field) {
    throw new HubError('HUB_ERR_VALIDATION', `${field} holds a NUL character`, [
      { field, message: 'must not hold a NUL character (\\u0000)' },
    ])
  }
}

/**
 * Fastify's own errors before routing, in the hub's format: a bad %-escape is a 400; a path parameter longer
 * than any id is an unknown id, so 404 (an unknown id, whatever its form).
 */
export function frameworkError(err: Error & { code?: string }, req: FastifyRequest, reply: FastifyReply) {
  const path = req.url.split('?')[0] ?? ''
  const e =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new HubError('HUB_ERR_NOT_FOUND', `no object with an id that long in ${path.slice(0, 200)}`)
      : err.code === 'FST_ERR_BAD_URL'
        ? new HubError('HUB_ERR_VALIDATION', `the URL ${path.slice(0, 200)} has an invalid %-escape`)
        : new HubError('HUB_ERR_VALIDATION', err.message)
  void reply.code(e.statusCode).send({ error: e.code, message: e.message })
}
