import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { deviceDefinition } from '../../../devices/index.js'
import * as onenet from '../../../devices/platforms/onenet.js'
import { HubError, notFound } from '../../errors.js'
import { deviceByExternalId } from '../../store/external-devices.js'
import { anObject, aText } from '../response-schemas.js'

// Carrier-platform push (README, "Carrier-platform push"): the platform's signature is checked, its device id
// mapped to a hub device (`externalId`), its message decoded by the platform adapter in devices/platforms/ and
// handed to ingest; the answer is 200 only once every report in it is committed (or kept as rejected), so a
// report answered 2xx is never lost. A push with a wrong or missing signature is refused (401) and counted.

/** base64(md5(text)) compared in constant time */
function signatureMatches(text: string, signature: string): boolean {
  const want = createHash('md5').update(text, 'utf8').digest()
  // a query string turns an unencoded "+" of base64 into a space
  const got = Buffer.from(signature.replaceAll(' ', '+'), 'base64')
  return got.length === want.length && timingSafeEqual(got, want)
}

export async function ingestPushRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { db, metrics, push } = app.deps
  const tags = ['ingest']
  const count = (outcome: string) => metrics.pushes.inc({ platform: onenet.platform, outcome })

  function verify(nonce: string, msg: string, signature: string) {
    if (push.onenetToken && signatureMatches(onenet.signedText(push.onenetToken, nonce, msg), signature))
      return
    count('bad-signature')
    throw new HubError('HUB_ERR_UNAUTHORIZED', 'the push signature does not verify')
  }

  app.get(
    '/ingest/onenet',
    {
      schema: {
        response: { 200: aText },
        tags,
        description: "OneNET's URL check: answers msg itself when the signature verifies",
        querystring: onenet.urlCheck,
      },
    },
    async (req, reply) => {
      const { msg, nonce, signature } = req.query
      verify(nonce, msg, signature)
      return reply.type('text/plain').send(msg)
    },
  )

  app.post(
    '/ingest/onenet',
    {
      schema: {
        response: { 200: anObject },
        tags,
        description: 'A OneNET data push (thing-model notify), signed with ONENET_PUSH_TOKEN',
        body: onenet.push,
      },
    },
    async (req) => {
      const { msg, nonce, signature } = req.body
      verify(nonce, msg, signature)
      let message: onenet.Notify
      try {
        message = onenet.notify.parse(JSON.parse(msg))
      } catch (err) {
        count('invalid')
        throw new HubError(
          'HUB_ERR_VALIDATION',
          `msg is not a OneNET thing-model notify: ${(err as Error).message}`.slice(0, 500),
        )
      }
      const row = await deviceByExternalId(db, message.deviceId)
      const definition = row && deviceDefinition(row.type)
      if (!row || !definition) {
        // not 2xx: the platform keeps the report and pushes it again once the device is registered
        count('unknown-device')
        throw notFound('device with externalId', message.deviceId)
      }
      const device = { id: row.id, siteId: row.site_id, residentId: row.resident_id, definition }
      const topic = `onenet/${message.productId}/${message.deviceId}`
      await Promise.all(
        onenet.reports(message, Date.now()).map((r) => push.ingest.accept(device, { ...r, qos: 1, topic })),
      )
      count('accepted')
      return { ok: true }
    },
  )
}
