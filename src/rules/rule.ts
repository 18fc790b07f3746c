import type { AlertClass, Priority } from '../../devices/index.js'
import type { DayWindow } from './day-window.js'

// What a rule kind is, as data: the alert it raises, the subject it watches (a resident or a device), how a
// message changes its state, and what its state means at a given time. Rules are pure: the engine
// (engine.ts) keeps their state in memory, feeds them messages and the clock, and carries out verdicts
// through the alerting runner.

/** A device message as the rules see it (after its commit), or a change the hub itself made. */
export interface Observation {
  at: number
  deviceId: string
  /** the device's type (devices/), when the message came from the device */
  deviceType?: string
  kind: 'event' | 'reading' | 'status' | 'offline' | 'restored'
  /** the device definition says it is a sign of life (devices/definition.ts `activity`) */
  activity: boolean
  eventType?: string
  eventId?: string
  state?: 'alarm' | 'clear'
  values?: Readonly<Record<string, number>>
  battery?: number
  status?: 'online' | 'offline'
}

/** What the rules know about a resident, from the database (refreshed when it changes). */
export interface ResidentProfile {
  id: string
  siteId: string
  abilityLevel: number
  livesAlone: boolean
  /** the day window in the site's time zone (the resident's own, else 07:00–22:00) */
  day: DayWindow
  /** the resident's own inactivity threshold, else null for the default by ability level */
  inactiveAfterMs: number | null
  /** how many of the resident's devices report signs of life / lie in a bed */
  activityDevices: number
  bedDevices: number
}

export interface DeviceProfile {
  id: string
  siteId: string
  residentId: string | null
  abilityLevel: number
}

/** Whether the rule's alert is unresolved for the subject, and when the latest one opened (0: never). */
export interface Standing {
  open: boolean
  alertedAt: number
}

/**
 * open: open the rule's alert (or fold into the unresolved one as a repeat), or `alert` when the rule opens
 * alerts a device definition names (hold-down); resolve: with this outcome
 */
export type Verdict =
  | { do: 'open'; data: Record<string, unknown>; alert?: RuleBase['alert'] }
  | { do: 'resolve'; outcome: string }
  | null

/** Tunable numbers (environment), passed to every rule. */
export interface RuleParams {
  batteryLow: number
  batteryOk: number
  flapLimit: number
  flapWindowMs: number
}

export interface RuleBase {
  /** the metrics label */
  name: string
  alert: { type: string; priority: Priority; class: AlertClass }
}

export interface ResidentRule<S extends Standing = Standing> extends RuleBase {
  scope: 'resident'
  applies(r: ResidentProfile): boolean
  /** a fresh state, or one restored from what `save` wrote (undefined when nothing was saved) */
  init(r: ResidentProfile, now: number, saved: SavedState): S
  /** folds a message in; a verdict that cannot wait for the sweep (activity resolving an alert) */
  observe(s: S, o: Observation, r: ResidentProfile, p: RuleParams): Verdict
  evaluate(s: S, now: number, r: ResidentProfile, p: RuleParams): Verdict
  save?(s: S): Partial<SavedState>
}

export interface DeviceRule<S extends Standing = Standing> extends RuleBase {
  scope: 'device'
  /** whether this message starts watching a device not watched yet */
  concerns(o: Observation): boolean
  init(): S
  observe(s: S, o: Observation, p: RuleParams): Verdict
  /** the sweep; a device rule whose state says nothing more to watch returns `forget` */
  evaluate(s: S, now: number, p: RuleParams): Verdict
  idle?(s: S, now: number, p: RuleParams): boolean
}

export type Rule = ResidentRule<Standing> | DeviceRule<Standing>

/** What is written back to resident_rule_state (last_activity and the `state` jsonb). */
export interface SavedState {
  lastActivity?: number
  outOfBedSince?: number
}
