import { signal } from '@preact/signals'
import { session } from './session'
import type { LiveMessage } from './types'

// The live feed (CONTRACT.md, "Live feed"). After any drop the socket comes back with ?since=<last seq>, so
// nothing committed meanwhile is missed; close code 4410 means the hub no longer keeps that far back, so the
// caller reloads over REST and listens afresh. The state is shown on screen: an operator must never trust a
// dead screen.

export type LiveState = 'connecting' | 'connected' | 'reconnecting' | 'stopped'

const SINCE_TOO_OLD = 4410
const MAX_BACKOFF_MS = 10_000

export interface LiveHandlers {
  onMessage: (m: LiveMessage) => void
  /** the feed cannot resume: load the whole picture over REST again */
  onReload: () => Promise<void>
  /** the socket dropped (or was refused): a refused token is found out here */
  onDrop?: () => void
}

export class LiveFeed {
  readonly state = signal<LiveState>('connecting')
  private ws: WebSocket | null = null
  private lastSeq: number | undefined
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false

  constructor(private readonly handlers: LiveHandlers) {}

  start() {
    this.stopped = false
    this.open()
  }

  stop() {
    this.stopped = true
    clearTimeout(this.timer)
    this.state.value = 'stopped'
    this.ws?.close(1000)
    this.ws = null
  }

  private open() {
    const token = session.token.value
    if (!token || this.stopped) return
    const proto = window.location.protocol === 'https:' ? 'wss' : 'ws'
    const since = this.lastSeq === undefined ? '' : `&since=${this.lastSeq}`
    const ws = new WebSocket(
      `${proto}://${window.location.host}/api/v1/live?token=${encodeURIComponent(token)}${since}`,
    )
    this.ws = ws
    ws.onopen = () => {
      this.attempt = 0
      this.state.value = 'connected'
    }
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as LiveMessage
      if (this.lastSeq !== undefined && m.seq <= this.lastSeq) return
      this.lastSeq = m.seq
      this.handlers.onMessage(m)
    }
    ws.onclose = (e) => {
      if (this.ws !== ws || this.stopped) return
      this.ws = null
      this.state.value = 'reconnecting'
      if (e.code === SINCE_TOO_OLD) {
        this.lastSeq = undefined
        void this.handlers.onReload().finally(() => this.open())
        return
      }
      this.handlers.onDrop?.()
      const delay = Math.min(250 * 2 ** this.attempt++, MAX_BACKOFF_MS)
      this.timer = setTimeout(() => this.open(), delay)
    }
  }

  /** the seq seen last: tests and the status line read it */
  get seq() {
    return this.lastSeq
  }
}
