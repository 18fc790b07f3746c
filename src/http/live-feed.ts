import type { IncomingMessage } from 'node:http'
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import type { Bus } from '../bus.js'
import { LiveClose, type LiveMessage } from '../contract/live.js'
import type { Metrics } from '../metrics.js'
import type { Db } from '../store/db.js'
import { feedAfter, feedBounds, pruneFeed } from '../store/feed.js'
import { listenFeed } from '../store/feed-listener.js'
import { everything, liveMessageFor, type Scope } from './scope.js'

// The live feed (CONTRACT.md, "Live feed"). Messages reach the bus after their commit, possibly out of seq
// order (two writers commit back to back); the sequencer releases them strictly in seq order, fetching any
// gap from the database, so every client sees 1, 2, 3… with nothing missing. A client sees only what its
// scope holds (scope.ts: a staff client its sites' messages, a family its relatives' alerts): its seqs skip
// the others, and it misses none of its own.
// Other hub instances on the same database commit feed messages too: PostgreSQL NOTIFY (feed-listener.ts)
// announces each commit's highest seq, and the feed reads what it has not released from the database.

const REPLAY_PAGE = 500
/** what other instances committed is read in pages this size */
const CATCH_UP_PAGE = 50
/** A client with more than this unsent is too slow: it is closed (1013) and may resume with ?since=. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024
const GAP_WAIT_MS = 500
const PING_MS = 30_000

/** Who is watching, and what of the feed it may see. */
export interface Viewer {
  userId: string
  /** the id of the token it connected with: its logout closes this connection */
  tokenId?: string
  scope: Scope
  /** when its credential expires: the connection is closed then (4401), as any request would be refused */
  expiresAt?: Date
}

interface Client {
  ws: WebSocket
  userId?: string
  tokenId?: string
  scope: Scope
  /** replaying from the database; live messages are not sent until it has caught up */
  replaying: boolean
  lastSent: number
  alive: boolean
}

export class LiveFeed {
  private readonly clients = new Set<Client>()
  /** highest seq released in order */
  private released = 0
  private readonly pending = new Map<number, LiveMessage>()
  private gapTimer?: NodeJS.Timeout
  private timers: NodeJS.Timeout[] = []
  private listener?: { stop(): void }
  /** highest seq announced by any instance; read from the database up to it */
  private announced = 0
  private catchingUp = false
  private readonly onLive = (m: LiveMessage) => this.accept(m)
  private readonly onUserChanged = (userId: string) => {
    for (const c of this.clients) {
      if (c.userId === userId) c.ws.close(LiveClose.accountChanged, 'your account changed; reconnect')
    }
  }
  private readonly onTokenRevoked = (tokenId: string) => {
    for (const c of this.clients) {
      if (c.tokenId === tokenId) c.ws.close(LiveClose.accountChanged, 'logged out')
    }
  }

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly keepMs = 7 * 86_400_000,
  ) {}

  async start() {
    this.released = (await feedBounds(this.db)).newest
    this.bus.on('live', this.onLive)
    this.listener = listenFeed(this.db, this.log, (seq) => this.catchUp(seq))
    this.bus.on('user.changed', this.onUserChanged)
    this.bus.on('token.revoked', this.onTokenRevoked)
    this.timers.push(setInterval(() => this.ping(), PING_MS))
    const prune = () =>
      pruneFeed(this.db, this.keepMs).catch((err) => this.log.warn({ err }, 'feed prune failed'))
    this.timers.push(setInterval(prune, 3_600_000))
    void prune()
  }

  private accept(m: LiveMessage) {
    if (m.seq <= this.released) return
    this.pending.set(m.seq, m)
    this.releaseInOrder()
    if (this.pending.size > 0 && !this.gapTimer) {
      this.gapTimer = setTimeout(() => void this.fillGap(), GAP_WAIT_MS)
    }
  }

  private releaseInOrder() {
    for (let next = this.pending.get(this.released + 1); next; next = this.pending.get(this.released + 1)) {
      this.pending.delete(next.seq)
      this.released = next.seq
      for (const c of this.clients) if (!c.replaying) this.send(c, next)
    }
  }

  /** Some instance committed up to `seq` (null: unknown, read to the end): release everything up to there. */
  private catchUp(seq: number | null) {
    this.announced = Math.max(this.announced, seq ?? Number.MAX_SAFE_INTEGER)
    if (this.catchingUp) return
    this.catchingUp = true
    void (async () => {
      try {
        while (this.announced > this.released) {
          const limit = Math.min(CATCH_UP_PAGE, this.announced - this.released)
          const batch = await feedAfter(this.db, this.released, limit)
          const before = this.released
          for (const m of batch) this.accept(m)
          if (this.released === before) break // a hole (pruned): the gap timer's business
          // at the pace clients read (a slow one is closed meanwhile), not all at once into their buffers
          for (let i = 0; i < 50 && this.congested(); i++) await new Promise((r) => setTimeout(r, 10))
        }
      } catch (err) {
        this.log.warn({ err }, 'could not read the live feed another instance committed')
      } finally {
        if (this.announced === Number.MAX_SAFE_INTEGER) this.announced = this.released
        this.catchingUp = false
      }
    })()
  }

  private congested() {
    for (const c of this.clients) {
      if (!c.replaying && c.ws.readyState === c.ws.OPEN && c.ws.bufferedAmount > MAX_BUFFERED_BYTES / 4)
        return true
    }
    return false
  }

  /** A seq did not arrive on the bus (another process wrote it, or its emit was lost): read it back. */
  private async fillGap() {
    this.gapTimer = undefined
    if (this.pending.size === 0) return
    try {
      for (const m of await feedAfter(
        this.db,
        this.released,
        Math.min(...this.pending.keys()) - this.released - 1,
      )) {
        this.accept(m)
      }
    } catch (err) {
      this.log.warn({ err }, 'could not fill a live-feed gap')
    }
    if (this.pending.size > 0 && !this.gapTimer)
      this.gapTimer = setTimeout(() => void this.fillGap(), GAP_WAIT_MS)
  }

  private send(c: Client, m: LiveMessage) {
    if (c.ws.readyState !== c.ws.OPEN) return
    const shown = liveMessageFor(c.scope, m)
    if (!shown) {
      // not for this viewer, but seen: replay resumes after it
      c.lastSent = m.seq
      return
    }
    if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.metrics.liveDropped.inc()
      c.ws.close(LiveClose.tooSlow, 'too slow; reconnect with ?since=')
      // a client that does not even read the close frame is cut off
      setTimeout(() => c.ws.terminate(), 5_000).unref()
      return
    }
    c.ws.send(JSON.stringify(shown))
    c.lastSent = m.seq
  }

  /** A new authenticated connection; `since` is the last seq the client has seen, if it is resuming. */
  async attach(ws: WebSocket, since: number | undefined, viewer?: Viewer) {
    const c: Client = {
      ws,
      userId: viewer?.userId,
      tokenId: viewer?.tokenId,
      scope: viewer?.scope ?? everything,
      replaying: since !== undefined,
      lastSent: since ?? this.released,
      alive: true,
    }
    this.clients.add(c)
    this.metrics.liveClients.inc()
    ws.on('pong', () => (c.alive = true))
    const expiry = viewer?.expiresAt && this.closeAt(ws, viewer.expiresAt)
    ws.on('close', () => {
      clearTimeout(expiry)
      this.clients.delete(c)
      this.metrics.liveClients.dec()
    })
    ws.on('error', () => ws.terminate())
    if (since !== undefined) await this.replay(c, since)
  }

  private closeAt(ws: WebSocket, at: Date) {
    // setTimeout takes at most 2^31-1 ms (24.8 days); tokens live hours
    const ms = Math.min(Math.max(0, at.getTime() - Date.now()), 2 ** 31 - 1)
    return setTimeout(() => ws.close(LiveClose.accountChanged, 'token expired; sign in again'), ms)
  }

  private async replay(c: Client, since: number) {
    try {
      const { oldest, newest } = await feedBounds(this.db)
      const keptFrom = oldest ?? newest + 1
      if (since < keptFrom - 1) {
        c.ws.close(LiveClose.sinceTooOld, 'since is older than the kept window; reload over REST')
        return
      }
      // Page through the stored feed until caught up with what has been released live. The check and the
      // switch to live happen in one synchronous step, so no message falls between them.
      while (c.ws.readyState === c.ws.OPEN) {
        if (c.lastSent >= this.released) {
          c.replaying = false
          return
        }
        const batch = await feedAfter(this.db, c.lastSent, Math.min(REPLAY_PAGE, this.released - c.lastSent))
        if (batch.length === 0) {
          c.ws.close(LiveClose.sinceTooOld, 'part of the requested feed is no longer kept; reload over REST')
          return
        }
        for (const m of batch) this.send(c, m)
      }
    } catch (err) {
      this.log.warn({ err }, 'live-feed replay failed')
      c.ws.close(1011, 'replay failed; retry')
    }
  }

  private ping() {
    for (const c of this.clients) {
      if (!c.alive) c.ws.terminate()
      c.alive = false
      c.ws.ping()
    }
  }

  async stop() {
    this.bus.off('live', this.onLive)
    this.listener?.stop()
    this.bus.off('user.changed', this.onUserChanged)
    this.bus.off('token.revoked', this.onTokenRevoked)
    clearTimeout(this.gapTimer)
    for (const t of this.timers) clearInterval(t)
    for (const c of this.clients) c.ws.close(LiveClose.shuttingDown, 'hub shutting down')
  }
}

/** ?since= must be a whole number ≥ 0; anything else is refused at upgrade. */
export function parseSince(req: IncomingMessage): number | undefined | null {
  const raw = new URL(req.url ?? '/', 'http://x').searchParams.get('since')
  if (raw === null) return undefined
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null
}
