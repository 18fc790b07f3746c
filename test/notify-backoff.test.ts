import t from 'tap'
import { retryDelayMs } from '../src/notify/backoff.js'

// The outbox's retry back-off, with an injected random().

t.test('back-off: doubling from 1 s, capped at 10 min, jittered in the upper half', async (t) => {
  const low = () => 0
  const high = () => 0.999999
  t.same(
    [1, 2, 3, 4].map((n) => retryDelayMs(n, low)),
    [500, 1_000, 2_000, 4_000],
  )
  t.same(
    [1, 2, 3, 4].map((n) => retryDelayMs(n, high)),
    [1_000, 2_000, 4_000, 8_000],
  )
  t.equal(retryDelayMs(11, high), 600_000, '1 s × 2^10 = 17 min is capped at 10 min')
  t.equal(retryDelayMs(11, low), 300_000)
  t.equal(retryDelayMs(10_000, high), 600_000, 'a huge attempt count stays at the cap')
  t.equal(
    retryDelayMs(3, () => 0.5),
    3_000,
    'jitter scales linearly with random()',
  )
  for (let i = 0; i < 200; i++) {
    const attempt = 1 + (i % 15)
    const d = retryDelayMs(attempt)
    const step = Math.min(1_000 * 2 ** (attempt - 1), 600_000)
    if (d < step / 2 || d > step) t.fail(`attempt ${attempt}: ${d} ms outside [${step / 2}, ${step}]`)
  }
  t.throws(() => retryDelayMs(0), RangeError)
  t.throws(() => retryDelayMs(1.5), RangeError)
  t.throws(() => retryDelayMs(Number.NaN), RangeError)
})
