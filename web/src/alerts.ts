import { computed, signal } from '@preact/signals'
import { alertArrived } from './alarm'
import { api, listAll } from './api'
import { LiveFeed } from './live'
import type { Alert, LiveMessage, Notification } from './types'

// The open alerts, kept current by the live feed. REST gives the picture once (and again after close 4410);
// after that every alert.opened / alert.updated replaces the alert it names.

export const alerts = signal<Map<string, Alert>>(new Map())
/** notification.updated messages, for the workspace of the alert they belong to */
export const notificationTick = signal<{ alertId: string; n: Notification } | null>(null)
export const commandTick = signal<unknown>(null)

/** CONTRACT.md's order: priority (1 first), then the resident's ability level (higher first), then age. */
export function queueOrder(a: Alert, b: Alert): number {
  return (
    a.priority - b.priority ||
    b.abilityLevel - a.abilityLevel ||
    a.openedAt.localeCompare(b.openedAt) ||
    a.id.localeCompare(b.id)
  )
}

export const waiting = computed(() =>
  [...alerts.value.values()].filter((a) => a.state === 'open').sort(queueOrder),
)
export const inHand = computed(() =>
  [...alerts.value.values()].filter((a) => a.state === 'acknowledged').sort(queueOrder),
)

/** How far along an alert is: a live message older than what REST already gave must not win. */
function progress(a: Alert): number {
  const state = { open: 0, acknowledged: 1, resolved: 2 }[a.state]
  return state * 1e9 + a.history.length * 1e4 + a.count
}

export function upsert(a: Alert) {
  const have = alerts.value.get(a.id)
  if (have && progress(have) > progress(a)) return
  const next = new Map(alerts.value)
  if (a.state === 'resolved') next.delete(a.id)
  else next.set(a.id, a)
  alerts.value = next
}

async function loadAll() {
  const [open, acked] = await Promise.all([
    listAll<Alert>('/alerts?state=open'),
    listAll<Alert>('/alerts?state=acknowledged'),
  ])
  const next = new Map<string, Alert>()
  for (const a of [...open, ...acked]) next.set(a.id, a)
  // messages that arrived while REST was answering may be newer than the snapshot
  for (const a of alerts.value.values()) {
    const snap = next.get(a.id)
    if (!snap || progress(a) > progress(snap)) next.set(a.id, a)
  }
  alerts.value = next
  loaded.value = true
}

export const loaded = signal(false)

function onMessage(m: LiveMessage) {
  if (m.kind === 'alert.opened' || m.kind === 'alert.updated') {
    const a = m.data as Alert
    upsert(a)
    if (m.kind === 'alert.opened') alertArrived(a)
  } else if (m.kind === 'notification.updated') {
    const n = m.data as Notification
    notificationTick.value = { alertId: n.alertId, n }
  } else if (m.kind === 'command.updated') {
    commandTick.value = m.data
  }
}

let feed: LiveFeed | null = null
const feedVersion = signal(0)
export const liveState = computed(() => {
  void feedVersion.value
  return feed?.state.value ?? 'stopped'
})

/** Starts the feed, then loads over REST once it is listening, so nothing falls between the two. */
export function startAlerts() {
  if (feed) return feed
  feed = new LiveFeed({
    onMessage,
    onReload: loadAll,
    onDrop: () => void api('GET', '/auth/me').catch(() => {}),
  })
  feedVersion.value++
  feed.start()
  const stopWatch = feed.state.subscribe((s) => {
    if (s !== 'connected') return
    queueMicrotask(() => stopWatch())
    void loadAll()
  })
  return feed
}

export function stopAlerts() {
  feed?.stop()
  feed = null
  feedVersion.value++
  alerts.value = new Map()
  loaded.value = false
}
