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
