import { createHmac } from 'node:crypto'
import t from 'tap'
import { signWebhook, verifyWebhook } from '../src/notify/signing.js'

// Standard Webhooks signatures (CONTRACT.md, "Webhooks the hub sends").

// The test vector published with the Standard Webhooks reference libraries.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}
const at = (seconds: number) => new Date(seconds * 1000)

t.test('the published test vector', async (t) => {
  const headers = signWebhook(vector.secret, vector.id, vector.timestamp, vector.body)
  t.same(headers, {
    'webhook-id': vector.id,
    'webhook-timestamp': String(vector.timestamp),
    'webhook-signature': vector.signature,
  })
  t.same(verifyWebhook(vector.secret, headers, vector.body, { now: at(vector.timestamp) }), { ok: true })
  t.same(
    verifyWebhook(vector.secret, headers, Buffer.from(vector.body), { now: at(vector.timestamp) }),
    { ok: true },
    'a raw Buffer body verifies the same',
  )
})

t.test('secrets: whsec_ is base64 of the key, anything else is the key as UTF-8', async (t) => {
  const plain = signWebhook('a plain secret', 'id1', 1_700_000_000, '{}')
  const expected = createHmac('sha256', 'a plain secret').update('id1.1700000000.{}').digest('base64')
  t.equal(plain['webhook-signature'], `v1,${expected}`)
  const prefixed = signWebhook(
    `whsec_${Buffer.from('a plain secret').toString('base64')}`,
    'id1',
    1_700_000_000,
    '{}',
  )
  t.equal(prefixed['webhook-signature'], plain['webhook-signature'], 'whsec_<base64 of k> signs as k')
  t.throws(() => signWebhook('', 'id1', 1, '{}'), /empty/)
  t.throws(() => signWebhook('whsec_', 'id1', 1, '{}'), /empty/)
  t.equal(signWebhook('k', 'id1', 1_700_000_000.9, '{}')['webhook-timestamp'], '1700000000', 'whole seconds')
})

t.test('verification refuses what it must', async (t) => {
  const now = { now: at(vector.timestamp) }
  const headers = signWebhook(vector.secret, vector.id, vector.timestamp, vector.body)
  const sig = headers['webhook-signature']
  const fail = (reason: string) => ({ ok: false, reason })

  t.same(verifyWebhook(vector.secret, headers, '{"test": 2432232315}', now), fail('no-match'), 'changed body')
  t.same(
    verifyWebhook('whsec_AAAAAAAAAAAAAAAAAAAAAA==', headers, vector.body, now),
    fail('no-match'),
    'other key',
  )
  t.same(
    verifyWebhook(vector.secret, { ...headers, 'webhook-id': 'msg_other' }, vector.body, now),
    fail('no-match'),
    'changed id',
  )
  // The last base64 character carries spare bits: a variant that decodes to the same bytes is still refused.
  const variant = `${sig.slice(0, -2)}${sig.at(-2) === 'E' ? 'F' : 'E'}=`
  t.same(
    verifyWebhook(vector.secret, { ...headers, 'webhook-signature': variant }, vector.body, now),
    fail('no-match'),
  )
  t.same(
    verifyWebhook(
      vector.secret,
      { ...headers, 'webhook-signature': sig.replace('v1,', 'v2,') },
      vector.body,
      now,
    ),
    fail('no-match'),
    'only v1 signatures count',
  )
  t.same(
    verifyWebhook(vector.secret, { ...headers, 'webhook-signature': `v1,bm9wZQ== ${sig}` }, vector.body, now),
    { ok: true },
    'any one of several signatures may match',
  )
  t.same(
    verifyWebhook(vector.secret, { 'webhook-id': vector.id, 'webhook-timestamp': '1' }, vector.body, now),
    fail('missing-headers'),
  )
  t.same(
    verifyWebhook(vector.secret, { ...headers, 'webhook-timestamp': '16e8' }, vector.body, now),
    fail('bad-timestamp'),
  )
})

t.test('verification tolerance: 5 minutes either way by default', async (t) => {
  const headers = signWebhook(vector.secret, vector.id, vector.timestamp, vector.body)
  const check = (seconds: number, toleranceSeconds?: number) =>
    verifyWebhook(vector.secret, headers, vector.body, { now: at(seconds), toleranceSeconds })
  t.same(check(vector.timestamp + 300), { ok: true })
  t.same(check(vector.timestamp + 301), { ok: false, reason: 'too-old' })
  t.same(check(vector.timestamp - 300), { ok: true })
  t.same(check(vector.timestamp - 301), { ok: false, reason: 'too-new' })
  t.same(check(vector.timestamp + 10, 5), { ok: false, reason: 'too-old' })
})
