// A device's row (last seen, battery, rssi, status, rejects) follows its messages. A chatty device (a bed sensor
// sending vitals every second, a flood of readings) would cost a row update per batch it is in, and those updates
// were most of the database's work in a telemetry flood. So a device's row is written at most once per `everyMs`
// unless something someone acts on changed (its status, a reject, its battery level) or the hub has not written
// it since it started; what is held back goes with the device's next write, or with a flush at most `everyMs` later.

export interface DeviceUpdate {
  seen: Date
  battery: number | null
  rssi: number | null
  status: string | null
  rejected: number
}

/** `newer` folded onto `older`: the latest time and values, rejects added up. */
export function mergeUpdate(older: DeviceUpdate | undefined, newer: DeviceUpdate): DeviceUpdate {
  if (!older) return newer
  return {
    seen: newer.seen > older.seen ? newer.seen : older.seen,
    battery: newer.battery ?? older.battery,
    rssi: newer.rssi ?? older.rssi,
    status: newer.status ?? older.status,
    rejected: older.rejected + newer.rejected,
  }
}

export interface DeviceRowsTaken {
  /** rows to write with this batch */
  due: Map<string, DeviceUpdate>
  /** what `due` carries from earlier batches: held again if this batch fails (its own items are retried) */
  carried: Map<string, DeviceUpdate>
}

export class DeviceRows {
  /** what each device's row was last written with, as far as this hub knows */
  private readonly written = new Map<string, { at: number; battery: number | null }>()
  private readonly held = new Map<string, DeviceUpdate>()

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Devices whose updates are held back. */
  get holding(): number {
    return this.held.size
  }

  /** Splits a batch's updates into rows to write now and updates held back; `all` takes everything held. */
  take(updates: Map<string, DeviceUpdate>, all: boolean): DeviceRowsTaken {
    const now = this.now()
    const due = new Map<string, DeviceUpdate>()
    const carried = new Map<string, DeviceUpdate>()
    for (const [id, u] of updates) {
      const before = this.held.get(id)
      const w = this.written.get(id)
      const urgent =
        this.everyMs <= 0 ||
        u.status !== null ||
        u.rejected > 0 ||
        !w ||
        now - w.at >= this.everyMs ||
        (u.battery !== null && u.battery !== w.battery)
      if (!urgent && !all) {
        this.held.set(id, mergeUpdate(before, u))
        continue
      }
      if (before) carried.set(id, before)
      due.set(id, mergeUpdate(before, u))
      this.held.delete(id)
    }
    if (all) {
      for (const [id, u] of this.held) {
        carried.set(id, u)
        due.set(id, u)
      }
      this.held.clear()
    }
    return { due, carried }
  }

  /** The due rows are committed. */
  committed(due: Map<string, DeviceUpdate>) {
    const at = this.now()
    for (const [id, u] of due) {
      const battery = u.battery ?? this.written.get(id)?.battery ?? null
      this.written.set(id, { at, battery })
    }
  }

  /** The batch failed: what it carried is held again, under anything held since. */
  failed(carried: Map<string, DeviceUpdate>) {
    for (const [id, u] of carried) {
      const since = this.held.get(id)
      this.held.set(id, since ? mergeUpdate(u, since) : u)
    }
  }
}
