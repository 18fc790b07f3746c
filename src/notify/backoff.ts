// How long the outbox waits before retrying a failed delivery: exponential (1 s, 2 s, 4 s … at most 10 min) so a
// receiver that is down is not hammered, with jitter so that many notifications failing together (a receiver
// restart) do not all come back in the same instant.

const BASE_MS = 1_000
export const MAX_RETRY_DELAY_MS = 10 * 60_000

/**
 * The wait after `attempt` failed attempts (1 = the first failure): a random point in the upper half of
 * min(1 s × 2^(attempt−1), 10 min), so never less than half the nominal step and never more than the cap.
 * `random` returns a number in [0, 1), like Math.random.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be 1 or more, not ${attempt}`)
  const step = Math.min(BASE_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS)
  return Math.round(step / 2 + (step / 2) * random())
}
