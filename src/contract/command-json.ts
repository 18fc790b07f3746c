// A device command as the API and the live feed (`command.updated`) show it.

export type CommandState = 'sent' | 'delivered' | 'done' | 'failed'

export interface CommandJson {
  id: string
  deviceId: string
  siteId: string
  cmd: string
  /** the username of who sent it */
  requestedBy: string
  sentAt: string
  state: CommandState
  /** the device's answer `{ ok, detail?, eventId }`, or `{ ok: false, detail }` when the hub could not publish */
  result: { ok: boolean; detail?: string; eventId?: string } | null
  updatedAt: string
}

/** What the hub publishes on the device's commands topic. */
export interface CommandMessage {
  id: string
  cmd: string
  ts: string
}
