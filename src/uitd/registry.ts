import { definitions } from '../../devices/index.js'
import type { DeviceSession } from '../ingest/session.js'
import type { Queryable } from '../store/db.js'
import { type UitdLink, uitdByAddress } from '../store/uitds.js'

// Registered UITDs by address, cached: a frame costs no query once its UITD is known. An unknown address is
// asked again after a few seconds, so a UITD registered while it is already calling is taken soon after.

const UNKNOWN_TTL_MS = 2_000
const definition = definitions.find((d) => d.type === 'uitd')!

export interface Registered extends UitdLink {
  session: DeviceSession
}

export class UitdRegistry {
  private readonly known = new Map<string, Registered>()
  private readonly unknown = new Map<string, number>()

  constructor(private readonly db: Queryable) {}

  async lookup(address: string): Promise<Registered | null> {
    const hit = this.known.get(address)
    if (hit) return hit
    const miss = this.unknown.get(address)
    if (miss !== undefined && Date.now() - miss < UNKNOWN_TTL_MS) return null
    const link = await uitdByAddress(this.db, address)
    if (!link) {
      if (this.unknown.size > 10_000) this.unknown.clear()
      this.unknown.set(address, Date.now())
      return null
    }
    const r: Registered = {
      ...link,
      session: { id: link.deviceId, siteId: link.siteId, residentId: null, definition },
    }
    this.known.set(address, r)
    return r
  }

  /** The UITD was found lost by the link watch: its next frame reports the restoral. */
  markLost(id: string) {
    for (const r of this.known.values()) if (r.id === id) r.linkState = 'lost'
  }
}
