import type { Logger } from 'pino'
import { definitions } from '../../devices/index.js'
import type { IngestPort } from '../ingest/port.js'
import { Periodic } from '../periodic.js'
import type { Db } from '../store/db.js'
import { claimLostLinks, recordFrames } from '../store/uitds.js'
import type { UitdRegistry } from './registry.js'

// Link supervision (巡检): each UITD must be heard from within its linkTimeoutS. Frames only note the time in
// memory; every sweep writes those times, then claims the UITDs silent too long and hands ingest a
// `link-loss` event for each (alert, and `link-loss` to the site's monitoring centres). The restoral is the
// receiver's, on the next frame (see receiver.ts).

const definition = definitions.find((d) => d.type === 'uitd')!

export interface LinkWatchDeps {
  db: Db
  ingest: IngestPort
  registry: UitdRegistry
  log: Logger
  now: () => Date
  everyMs: number
}

export class LinkWatch {
  private seen = new Map<string, Date>()

  private readonly ticker: Periodic

  constructor(private readonly deps: LinkWatchDeps) {
    this.ticker = new Periodic({
      what: 'UITD link sweep',
      everyMs: deps.everyMs,
      pass: () => this.sweep(),
      log: deps.log,
    })
  }

  heard(uitdId: string, at: Date) {
    this.seen.set(uitdId, at)
  }

  start() {
    this.ticker.start()
  }

  async stop() {
    await this.ticker.stop()
    await this.flush()
  }

  private async flush() {
    const seen = this.seen
    this.seen = new Map()
    await recordFrames(this.deps.db, seen)
  }

  async sweep() {
    await this.flush()
    const now = this.deps.now()
    for (const lost of await claimLostLinks(this.deps.db, now)) {
      this.deps.registry.markLost(lost.id)
      const session = { id: lost.device_id, siteId: lost.site_id, residentId: null, definition }
      const decoded = {
        id: `link-loss.${lost.silent_since.getTime()}`,
        ts: now.toISOString(),
        type: 'link-loss',
        state: 'alarm',
      }
      await this.deps.ingest.accept(session, { channel: 'events', decoded })
    }
  }
}
