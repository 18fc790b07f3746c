import type { CanonicalEvent } from '../../devices/index.js'
import type { Bus } from '../bus.js'
import { advanceCommand } from '../store/commands.js'
import type { Db } from '../store/db.js'

// What devices tell the hub about its commands: the PUBACK of a command (delivered) and the device's
// command-result event (done / failed). Both are recorded on the command and put on the live feed.

export class CommandResults {
  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
  ) {}

  /** The device acknowledged (PUBACK) the command message with this payload. */
  async delivered(deviceId: string, payload: Buffer) {
    let id: unknown
    try {
      id = (JSON.parse(payload.toString('utf8')) as { id?: unknown }).id
    } catch {
      return // not a message the hub sent
    }
    if (typeof id !== 'string') return
    await this.apply(advanceCommand(this.db, { id, deviceId, from: ['sent'], to: 'delivered' }))
  }

  /** A command-result event, stored already as an event; one that names no command is only that. */
  async answered(deviceId: string, event: CanonicalEvent) {
    const { command, ok, detail } = event.fields as { command?: string; ok?: boolean; detail?: string }
    if (!command) return
    const result = { ok: ok === true, ...(detail !== undefined && { detail }), eventId: event.id }
    await this.apply(
      advanceCommand(this.db, {
        id: command,
        deviceId,
        from: ['sent', 'delivered'],
        to: result.ok ? 'done' : 'failed',
        result,
      }),
    )
  }

  private async apply(change: ReturnType<typeof advanceCommand>) {
    for (const m of (await change).messages) this.bus.emit('live', m)
  }
}
