import http from 'node:http'
import https from 'node:https'
import { guardedLookup, OutboundRefused, outboundRefusal } from '../../outbound.js'
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

// Connections are kept alive per receiver: a burst of notifications to one family app or centre reuses a few
// sockets instead of a TCP handshake each. node:http rather than fetch: a quarter of fetch's CPU per request.
// Every connection resolves through the outbound guard: a name pointing at a private address is refused.
const agents = {
  'http:': new http.Agent({ keepAlive: true, lookup: guardedLookup }),
  'https:': new https.Agent({ keepAlive: true, lookup: guardedLookup }),
}

function networkError(err: unknown): string {
  const e = err as { code?: string; message?: string }
  return e.code ?? e.message ?? String(err)
}

/** The status and at most MAX_ANSWER_BYTES of the answer (read, so the socket can carry the next request). */
function exchange(url: URL, body: string, headers: Record<string, string>, signal: AbortSignal) {
  const send = url.protocol === 'https:' ? https.request : http.request
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      agent: agents[url.protocol as keyof typeof agents],
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'eldercare-hub',
        ...headers,
      },
      signal,
    })
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        if (size >= MAX_ANSWER_BYTES) return
        chunks.push(chunk)
        size += chunk.byteLength
        // a misbehaving receiver that streams on is cut off; its socket is not reused
        if (size >= MAX_ANSWER_BYTES) res.destroy()
      })
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8'),
        })
      res.on('end', done)
      res.on('close', () => (size >= MAX_ANSWER_BYTES ? done() : reject(new Error('the answer was cut off'))))
      res.on('error', reject)
    })
    req.end(body)
  })
}

/**
 * POSTs `body` (already serialised: signatures cover these exact bytes). Redirects are not followed: a POST
 * must not silently become a GET elsewhere, and a 3xx is reported like any other non-2xx. `readAnswer` false
 * drops the answer's text.
 */
export async function postJson(
  url: URL,
  body: string,
  headers: Record<string, string>,
  { timeoutMs, readAnswer }: { timeoutMs: number; readAnswer: boolean },
): Promise<PostOutcome> {
  // an address literal never goes through the lookup: checked here (the name was checked when registered,
  // but HUB_OUTBOUND_ALLOW may have changed since)
  const refusal = outboundRefusal(url.href)
  if (refusal)
    return { kind: 'failed', result: { ok: false, retryable: false, error: `refused: ${refusal}` } }
  // covers the answer's body too, so a receiver that sends its headers and stalls is still cut off
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const { status, text } = await exchange(url, body, headers, signal)
    return { kind: 'answered', status, text: readAnswer ? text : '' }
  } catch (err) {
    if (err instanceof OutboundRefused) {
      return { kind: 'failed', result: { ok: false, retryable: false, error: `refused: ${err.message}` } }
    }
    // Refused, reset, DNS, TLS or timed out: all may pass, so all are retried.
    const error = signal.aborted ? `no answer within ${timeoutMs} ms` : networkError(err)
    return { kind: 'failed', result: { ok: false, retryable: true, error } }
  }
}
