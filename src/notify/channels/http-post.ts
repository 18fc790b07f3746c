import type { DeliveryResult } from '../channel.js'

// One JSON POST with a deadline, and what its outcome means for a retry; shared by the webhook and SMS channels.

export const DEFAULT_TIMEOUT_MS = 5_000
/** at most this much of an answer is read (a gateway's receipt is small; a misbehaving one must not be) */
const MAX_ANSWER_BYTES = 64 * 1024

export type PostOutcome =
  | { kind: 'answered'; status: number; text: string }
  | { kind: 'failed'; result: Extract<DeliveryResult, { ok: false }> }

/** A status retrying can fix: 5xx, 3xx, and the 4xx that mean "not now" (timeout, conflict, too early/many). */
export function retryableStatus(status: number): boolean {
  return status < 400 || status >= 500 || [408, 409, 425, 429].includes(status)
}

export function failedStatus(status: number): Extract<DeliveryResult, { ok: false }> {
  return { ok: false, retryable: retryableStatus(status), error: `HTTP ${status}` }
}

/** An http(s) URL, or why not: a bad address is never retried. */
export function checkUrl(url: string): URL | Extract<DeliveryResult, { ok: false }> {
  try {
    const u = new URL(url)
    if (u.protocol === 'http:' || u.protocol === 'https:') return u
  } catch {}
  return { ok: false, retryable: false, error: `not an http(s) URL: ${url}` }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return ''
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    chunks.push(Buffer.from(chunk))
    size += chunk.byteLength
    if (size >= MAX_ANSWER_BYTES) break
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8')
}

function networkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`
  }
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined
  return cause?.code ?? cause?.message ?? String(err)
}

/**
 * POSTs `body` (already serialised: signatures cover these exact bytes). Redirects are not followed: a POST
 * must not silently become a GET elsewhere, and a 3xx is reported like any other non-2xx. `readAnswer` false
 * discards the answer unread.
 */
export async function postJson(
  url: URL,
  body: string,
  headers: Record<string, string>,
  { timeoutMs, readAnswer }: { timeoutMs: number; readAnswer: boolean },
): Promise<PostOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'eldercare-hub', ...headers },
      body,
      redirect: 'manual',
      // Covers the answer's body too, so a receiver that sends its headers and stalls is still cut off.
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = readAnswer ? await readCapped(res) : ''
    if (!readAnswer) await res.body?.cancel()
    return { kind: 'answered', status: res.status, text }
  } catch (err) {
    // Refused, reset, DNS, TLS or timed out: all may pass, so all are retried.
    return { kind: 'failed', result: { ok: false, retryable: true, error: networkError(err, timeoutMs) } }
  }
}
