// The monthly welfare-visit rate (探访率) over special-difficulty residents, against the 100% target: every
// such resident is to be visited (in person, by phone or video) at least once a month.

export const VISIT_TARGET = 1

export interface DueVisit {
  residentId: string
  name: string
  siteId: string
  siteName: string
  district: string | null
  /** visits in the month */
  visits: number
}

export interface Rate {
  due: number
  visited: number
  /** visited / due, 0..1; null when nobody was due */
  rate: number | null
  met: boolean | null
}

function rate(due: number, visited: number): Rate {
  const r = due === 0 ? null : visited / due
  return { due, visited, rate: r, met: r === null ? null : r >= VISIT_TARGET }
}

function groupRates<K>(rows: DueVisit[], key: (r: DueVisit) => K) {
  const groups = new Map<K, { first: DueVisit; due: number; visited: number }>()
  for (const r of rows) {
    const g = groups.get(key(r)) ?? { first: r, due: 0, visited: 0 }
    g.due++
    if (r.visits > 0) g.visited++
    groups.set(key(r), g)
  }
  return [...groups.values()].map((g) => ({ first: g.first, ...rate(g.due, g.visited) }))
}

/** The totals, per site and per district (null: sites without one), and who was not visited. */
export function visitRate(rows: DueVisit[]) {
  const visited = rows.filter((r) => r.visits > 0).length
  return {
    ...rate(rows.length, visited),
    target: VISIT_TARGET,
    sites: groupRates(rows, (r) => r.siteId).map(({ first, ...r }) => ({
      siteId: first.siteId,
      name: first.siteName,
      district: first.district,
      ...r,
    })),
    districts: groupRates(rows, (r) => r.district).map(({ first, ...r }) => ({
      district: first.district,
      ...r,
    })),
    notVisited: rows
      .filter((r) => r.visits === 0)
      .map((r) => ({ residentId: r.residentId, name: r.name, siteId: r.siteId })),
  }
}
