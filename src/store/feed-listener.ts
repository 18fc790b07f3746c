import type { Logger } from 'pino'
import type { Db } from './db.js'

// LISTEN hub_feed (migration 022): every committed feed append, from any hub instance on this database,
// announces its highest seq. One connection of the pool is kept for it; if it drops, another is taken and the
// caller told to catch up from the database (notifications sent meanwhile are lost with the connection).

const RETRY_MS = 1_000

export function listenFeed(db: Db, log: Logger, onSeq: (seq: number | null) => void) {
  let stopped = false
  let release: (() => void) | undefined
  let retry: NodeJS.Timeout | undefined

  async function connect() {
    if (stopped) return
    try {
      const client = await db.connect()
      let released = false
      const drop = (err?: Error) => {
        if (released) return
        released = true
        client.release(err ?? true)
        if (stopped) return
        log.warn({ err }, 'live-feed listener lost its connection; reconnecting')
        retry = setTimeout(() => void connect(), RETRY_MS)
      }
      client.on('notification', (n) => {
        if (n.channel === 'hub_feed' && n.payload) onSeq(Number(n.payload))
      })
      client.on('error', drop)
      client.on('end', () => drop())
      await client.query('LISTEN hub_feed')
      release = () => {
        released = true
        client.release(true)
      }
      onSeq(null) // listening now: whatever committed before is read from the database
    } catch (err) {
      log.warn({ err }, 'live-feed listener could not connect; retrying')
      if (!stopped) retry = setTimeout(() => void connect(), RETRY_MS)
    }
  }

  void connect()
  return {
    stop() {
      stopped = true
      clearTimeout(retry)
      release?.()
    },
  }
}
