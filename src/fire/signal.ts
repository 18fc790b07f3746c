// A fire signal to a monitoring centre (CONTRACT.md, "Fire-monitoring centres"): one per signal and centre,
// its messageId stable across retries so the centre can drop duplicates.

export const signalKinds = [
  'fire',
  'fire-confirmed',
  'false-alarm',
  'fault',
  'supervisory',
  'link-loss',
  'restoral',
  'clear',
  'heartbeat',
] as const
export type SignalKind = (typeof signalKinds)[number]

export interface FireSignal {
  messageId: string
  kind: SignalKind
  site: { id: string; name: string; address: string; lat: number | null; lon: number | null }
  location: { building: string | null; floor: string | null; zone: string | null; room: string | null }
  device: { id: string; type: string } | null
  alertId: string | null
  deviceTime: string | null
  hubTime: string
  onDuty: { name: string; phone: string | null }[]
  /** what staff wrote with a confirmation or a false-alarm mark (an extension of the contract's fields) */
  note: string | null
}

/** Where a centre takes signals: a signed JSON POST, or an MQTT publish at QoS 1. */
export interface CentreAddress {
  channel: 'centre'
  url: string
  secret?: string
}
