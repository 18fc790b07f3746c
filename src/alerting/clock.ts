import { type IdPrefix, newId } from '../ids.js'

// What the runner injects into the pure core: the time a transaction decides at, and fresh ids. Tests and
// simulations pass their own; the hub passes the system's.

export interface Clock {
  now(): Date
}

export type IdSource = (prefix: IdPrefix) => string

export const systemClock: Clock = { now: () => new Date() }

export const randomIds: IdSource = newId
