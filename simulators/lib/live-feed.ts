import WebSocket from 'ws'
import type { LiveMessage } from '../../src/contract/live.js'
import { withTimeout } from './util.js'

// One live-feed WebSocket: hands every message to the current listener and checks the seq is gap-free.

export class LiveFeedClient {
  /** called for every message, in arrival order */
  onMessage: (m: LiveMessage) => void = () => {}
  received = 0
  seqGaps = 0
  closed?: { code: number; reason: string }
  lastSeq?: number

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as LiveMessage
      this.received++
      if (this.lastSeq !== undefined && m.seq !== this.lastSeq + 1) this.seqGaps++
      this.lastSeq = m.seq
      this.onMessage(m)
    })
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
    })
  }

  /** Opens the feed of the hub at `api` (http://host:port); `since` resumes after that seq. */
  static async open(api: string, token: string, since?: number): Promise<LiveFeedClient> {
    const query = `token=${encodeURIComponent(token)}${since === undefined ? '' : `&since=${since}`}`
    const ws = new WebSocket(`${api.replace(/^http/, 'ws')}/api/v1/live?${query}`)
    const feed = new LiveFeedClient(ws)
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve())
        ws.once('error', reject)
        ws.once('unexpected-response', (_req, res) =>
          reject(new Error(`live feed refused the upgrade: ${res.statusCode}`)),
        )
      }),
      10_000,
      'opening the live feed',
    ).catch((err) => {
      ws.terminate()
      throw err
    })
    ws.on('error', () => {}) // a later error shows as `closed`
    return feed
  }

  /** Waits (at most `timeoutMs`) until `done()` holds, checking every 10 ms. */
  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!done()) {
      if (this.closed || Date.now() > deadline) return false
      await new Promise((r) => setTimeout(r, 10))
    }
    return true
  }

  close() {
    this.ws.terminate()
  }
}
