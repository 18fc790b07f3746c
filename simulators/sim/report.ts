import type { LatencySummary } from '../lib/stats.js'
import { type Counters, messageKinds } from './counters.js'
import type { Outcome } from './expect.js'
import type { AlertTracker } from './tracker.js'

// The end-of-run report: messages sent and acknowledged, alerts expected and seen, latency histograms,
// errors by kind and each expected outcome. `ok` is what the exit code follows.

export interface SimReport {
  generatedAt: string
  scenario: string | null
  seed: number
  fleet: { devices: number; byType: Record<string, number>; connected: number; connectMs: number }
  durationMs: number
  messages: Record<string, { sent: number; acked: number; failed: number }>
  /** unacknowledged when their device lost power and never came back (a power cut empties its queue) */
  lostWithPower: number
  alerts: { expected: number; seen: number; missing: string[]; repeatsExpected: number }
  latency: { publishToAlertOpened: LatencySummary; publishToPuback: LatencySummary }
  errors: Record<string, number>
  errorExamples: Record<string, string[]>
  expectations: Outcome[]
  ok: boolean
}

export function buildReport(parts: {
  scenario: string | null
  seed: number
  fleet: SimReport['fleet']
  durationMs: number
  counters: Counters
  tracker: AlertTracker
  expectations: Outcome[]
  lostWithPower: number
}): SimReport {
  const { counters: c, tracker: t } = parts
  const messages = Object.fromEntries(
    messageKinds.map((k) => [k, { sent: c.sent[k], acked: c.acked[k], failed: c.failed[k] }]),
  )
  const missing = t.missing
  const errors = { ...c.errors }
  if (missing.length) errors['alert never seen'] = missing.length
  const unacked = c.totalSent - c.totalAcked - parts.lostWithPower
  if (unacked) errors['never acknowledged'] = unacked
  const ok = Object.keys(errors).length === 0 && parts.expectations.every((e) => e.ok)
  return {
    generatedAt: new Date().toISOString(),
    scenario: parts.scenario,
    seed: parts.seed,
    fleet: parts.fleet,
    durationMs: parts.durationMs,
    messages,
    lostWithPower: parts.lostWithPower,
    alerts: {
      expected: t.expectedOpens,
      seen: t.seenOpens,
      missing: missing.slice(0, 20),
      repeatsExpected: t.expectedRepeats,
    },
    latency: { publishToAlertOpened: t.e2e.summary(), publishToPuback: c.puback.summary() },
    errors,
    errorExamples: c.examples,
    expectations: parts.expectations,
    ok,
  }
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—')

function latencyLines(label: string, s: LatencySummary): string[] {
  if (!s.count) return [`  ${label}: none measured`]
  const lines = [
    `  ${label} (${s.count}): p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  p99.9 ${ms(s.p999)}  max ${ms(s.max)} ms`,
  ]
  const widest = Math.max(...s.histogram.map((b) => b.count))
  let previous = 0
  for (const b of s.histogram) {
    if (b.count) {
      const range = Number.isFinite(b.le) ? `${previous}–${b.le} ms` : `> ${previous} ms`
      lines.push(
        `    ${range.padStart(14)} ${'█'.repeat(Math.ceil((40 * b.count) / widest)).padEnd(40)} ${b.count}`,
      )
    }
    previous = b.le
  }
  return lines
}

export function formatReport(r: SimReport): string {
  const byType = Object.entries(r.fleet.byType)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ')
  const lines = [
    '',
    `simulation${r.scenario ? ` "${r.scenario}"` : ''} · seed ${r.seed} · ${(r.durationMs / 1000).toFixed(1)} s`,
    `fleet: ${r.fleet.devices} devices (${byType}); ${r.fleet.connected} connected in ${r.fleet.connectMs.toFixed(0)} ms`,
    'messages      sent   acked  failed',
    ...Object.entries(r.messages).map(
      ([k, m]) =>
        `  ${k.padEnd(10)} ${String(m.sent).padStart(6)} ${String(m.acked).padStart(7)} ${String(m.failed).padStart(7)}`,
    ),
    ...(r.lostWithPower
      ? [`  ${r.lostWithPower} in flight when their device lost power for good (never acknowledged)`]
      : []),
    `alerts: ${r.alerts.expected} expected to open, ${r.alerts.seen} seen on the live feed; ${r.alerts.repeatsExpected} repeats folded into open alerts`,
    'latency, ms',
    ...latencyLines('publish → alert.opened', r.latency.publishToAlertOpened),
    ...latencyLines('publish → PUBACK', r.latency.publishToPuback),
  ]
  const errors = Object.entries(r.errors)
  lines.push(errors.length ? 'errors:' : 'errors: none')
  for (const [kind, n] of errors) {
    const eg = r.errorExamples[kind]?.[0]
    lines.push(`  ${kind}: ${n}${eg ? `  (e.g. ${eg})` : ''}`)
  }
  if (r.alerts.missing.length) lines.push(`  never seen: ${r.alerts.missing.slice(0, 5).join(', ')}`)
  if (r.expectations.length) lines.push('expected outcomes:')
  for (const e of r.expectations) {
    lines.push(`  ${e.ok ? 'ok  ' : 'FAIL'} ${e.expectation}`)
    for (const p of e.problems) lines.push(`         ${p}`)
  }
  lines.push(r.ok ? 'result: ok' : 'result: FAILED')
  return lines.join('\n')
}
