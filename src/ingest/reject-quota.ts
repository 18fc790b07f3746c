// How many rejected payloads a device may have kept per minute. Past that they are still counted, but
// their bytes are not stored: a device flooding garbage cannot fill the disk.

const WINDOW_MS = 60_000

export class RejectQuota {
  private readonly windows = new Map<string, { start: number; used: number }>()

  constructor(private readonly perMinute = 60) {}

  take(deviceId: string, now: number): boolean {
    const w = this.windows.get(deviceId)
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.windows.size > 100_000) this.windows.clear()
      this.windows.set(deviceId, { start: now, used: 1 })
      return true
    }
    w.used++
    return w.used <= this.perMinute
  }
}
