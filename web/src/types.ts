// The API's shapes as the console reads them (CONTRACT.md field names); loose where the console does not care.

export type AlertState = 'open' | 'acknowledged' | 'resolved'

export interface HistoryEntry {
  at: string
  kind: string
  actor: string | null
  note: string | null
  data: Record<string, unknown>
}

export interface Alert {
  id: string
  type: string
  priority: number
  /** life-safety, fire or technical (only technical alerts can be snoozed) */
  alertClass: 'life-safety' | 'fire' | 'technical'
  abilityLevel: number
  state: AlertState
  siteId: string | null
  residentId: string | null
  deviceId: string | null
  relatedAlertId: string | null
  event:
    | ({ id: string; type: string; state: string; ts: string; receivedAt: string } & Record<string, unknown>)
    | null
  count: number
  openedAt: string
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  resolvedAt: string | null
  resolvedBy: string | null
  outcome: string | null
  history: HistoryEntry[]
}

export interface Contact {
  name: string
  relation: string
  phone?: string | null
  email?: string | null
  webhook?: string | null
  language?: string | null
}

export interface Resident {
  id: string
  siteId: string
  name: string
  abilityLevel: number
  livesAlone?: boolean
  conditions?: string[]
  contacts: Contact[]
  /** YYYY-MM-DD */
  birthDate?: string | null
  /** 特殊困难老年人: due a welfare visit every month */
  specialDifficulty?: boolean
}

export interface Site {
  id: string
  kind: 'institution' | 'home'
  name: string
  address: string
  lat?: number | null
  lon?: number | null
  timezone?: string | null
}

export interface DeviceLocation {
  building?: string
  floor?: string
  zone?: string
  room?: string
  bed?: string
}

export interface Device {
  id: string
  type: string
  siteId: string
  residentId?: string | null
  location?: DeviceLocation | null
  online?: boolean
  lastSeen?: string | null
  battery?: number | null
  secret?: string
}

export interface Notification {
  id: string
  alertId: string
  step: number
  stepName: string | null
  target: string
  recipient: string | null
  channel: string
  to: string | null
  state: string
  attempts: number
  receipt: string | null
  lastError: string | null
  createdAt: string
  deliveredAt: string | null
  acknowledgedAt: string | null
}

export type Role = 'admin' | 'supervisor' | 'operator' | 'staff' | 'county-centre' | 'family'

export interface User {
  id: string
  username: string
  role: Role
  siteIds?: string[]
  name?: string | null
  phone?: string | null
  language?: 'zh-CN' | 'en' | null
  disabled?: boolean
}

export interface LiveMessage {
  seq: number
  kind: string
  data: unknown
}
