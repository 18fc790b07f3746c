import http from 'node:http'
import { z } from 'zod'

// The outbox benchmark's baseline, in a process of its own as the hub is: a bare HTTP client (node:http with
// keep-alive, as the hub's channels use) POSTs the same JSON body to the same receiver with as many requests in
// flight as the hub allows one receiver. No database, no claims, no records: what the receiver and loopback HTTP
// alone allow. Prints {"sent":n,"failed":n} when done.

const env = z
  .object({
    POSTER_URL: z.url(),
    POSTER_COUNT: z.coerce.number().int().min(1).max(100_000),
    POSTER_CONCURRENCY: z.coerce.number().int().min(1).max(1_000),
    POSTER_BODY: z.string().min(2),
  })
  .parse(process.env)

const agent = new http.Agent({ keepAlive: true })
const TIMEOUT_MS = 5_000

function post(body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(env.POSTER_URL, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    req.on('error', () => resolve(false))
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve((res.statusCode ?? 0) < 300))
      res.on('error', () => resolve(false))
    })
    req.end(body)
  })
}

let next = 0
let failed = 0
await Promise.all(
  Array.from({ length: env.POSTER_CONCURRENCY }, async () => {
    while (next < env.POSTER_COUNT) {
      next++
      if (!(await post(env.POSTER_BODY))) failed++
    }
  }),
)
console.log(JSON.stringify({ sent: env.POSTER_COUNT, failed }))
agent.destroy()
