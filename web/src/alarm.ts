import { signal } from '@preact/signals'
import { t, tOr } from './i18n'
import type { Alert } from './types'

// What a new alert does besides appearing: a tone (Web Audio, no sound file to fetch; fire sounds different),
// unless muted, and a browser notification when the tab is hidden, so an operator in another window hears
// and sees it.

const MUTE = 'hub.muted'
export const muted = signal(localStorage.getItem(MUTE) === '1')

export function setMuted(m: boolean) {
  localStorage.setItem(MUTE, m ? '1' : '0')
  muted.value = m
}

let ctx: AudioContext | null = null

/** Browsers start audio only after a user gesture: the first click or key on the page unlocks it. */
function unlock() {
  ctx ??= new AudioContext()
  void ctx.resume()
}
window.addEventListener('pointerdown', unlock, { once: true })
window.addEventListener('keydown', unlock, { once: true })

function tone(freqs: number[]) {
  if (!ctx || muted.value) return
  let at = ctx.currentTime
  for (const f of freqs) {
    const osc = ctx.createOscillator()
    const gain = ctx.createGain()
    osc.frequency.value = f
    osc.type = 'square'
    gain.gain.setValueAtTime(0.08, at)
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18)
    osc.connect(gain).connect(ctx.destination)
    osc.start(at)
    osc.stop(at + 0.2)
    at += 0.22
  }
}

export const notificationPermission = signal(
  typeof Notification === 'undefined' ? 'denied' : Notification.permission,
)

export async function askNotificationPermission() {
  if (typeof Notification === 'undefined') return
  notificationPermission.value = await Notification.requestPermission()
}

declare global {
  interface Window {
    /** what the alarm did, so a browser test can tell it sounded without hearing it */
    __alarms: { sounded: number; notified: number }
  }
}
window.__alarms = { sounded: 0, notified: 0 }

export function alertArrived(a: Alert) {
  const fire = a.priority === 1
  if (ctx && !muted.value) window.__alarms.sounded++
  tone(fire ? [880, 660, 880, 660] : [740, 990])
  if (document.hidden && notificationPermission.value === 'granted') {
    new Notification(t('alarm.notificationTitle'), {
      body: tOr(`type.${a.type}`, a.type),
      tag: a.id,
      requireInteraction: fire,
    })
    window.__alarms.notified++
  }
}
