import type { FastifyInstance } from 'fastify'

// A POST whose body is optional (e.g. ack's `{ note? }`) must also accept no body at all. Clients send both
// forms: no content (curl -X POST), which fastify validates as `null`, so such a schema is `.nullish()`; and
// `content-type: application/json` with zero bytes, which fastify's JSON parser refuses outright, so this
// parser reads it as no body. A route whose body is required still answers 400.

export function emptyBodyIsAbsent(app: FastifyInstance) {
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    body === '' ? done(null, undefined) : json(req, body as string, done),
  )
}

type Operation = {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { nullable?: boolean } }> }
}

/**
 * For the OpenAPI document: @fastify/swagger marks every request body required, but a body schema that accepts
 * null (the `.nullish()` above) is one a client may leave out.
 */
export function markOptionalBodies<T extends object>(openapi: T): T {
  const paths = (openapi as { paths?: Record<string, Record<string, Operation>> }).paths ?? {}
  for (const operation of Object.values(paths).flatMap((p) => Object.values(p))) {
    const body = operation.requestBody
    if (body?.content?.['application/json']?.schema?.nullable) body.required = false
  }
  return openapi
}
