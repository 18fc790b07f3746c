import { useEffect, useState } from 'preact/hooks'
import { api, listAll } from '../api'
import { Chart } from '../components/Chart'
import { VisitRate } from '../components/VisitRate'
import { download } from '../download'
import { type Key, t, tOr } from '../i18n'
import type { Site } from '../types'

// Service statistics for a shift (the last 12 hours), a day or a month: alerts per hour or day by type, time
// to acknowledge and to resolve against the telecare targets (97.5% within 60 s, 99% within 180 s), and the
// false-alarm rate by device type; each table also as CSV.

const periods = {
  shift: { ms: 12 * 3_600_000, bucket: 'hour', step: 3_600_000 },
  day: { ms: 24 * 3_600_000, bucket: 'hour', step: 3_600_000 },
  month: { ms: 30 * 86_400_000, bucket: 'day', step: 86_400_000 },
} as const
type Period = keyof typeof periods

interface AlertStats {
  total: number
  items: { bucket: string; siteId: string | null; type: string; count: number }[]
}
interface Target {
  count: number
  share: number | null
  target: number
  met: boolean | null
}
interface ResponseStats {
  alerts: number
  acknowledged: number
  resolved: number
  timeToAcknowledge: { p50: number | null; p90: number | null }
  timeToResolve: { p50: number | null; p90: number | null }
  within60s: Target
  within180s: Target
}
interface FalseAlarmRow {
  deviceType?: string
  resolved: number
  falseAlarms: number
  rate: number | null
}
interface FalseAlarmStats {
  total: FalseAlarmRow
  items: FalseAlarmRow[]
}

const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`)
const secs = (x: number | null) => (x == null ? '—' : `${Math.round(x)} s`)

/**
 * Counts per bucket, one series per alert type, for the chart. The API leaves out empty buckets; the chart puts
 * them back as zeros over the whole period, so a line never bridges a quiet hour.
 */
function series(stats: AlertStats, from: number, to: number, stepMs: number) {
  const counted = [...new Set(stats.items.map((i) => new Date(i.bucket).getTime()))]
  const anchor = counted[0] ?? Math.floor(from / stepMs) * stepMs
  const first = anchor - Math.ceil((anchor - from) / stepMs) * stepMs
  const buckets: number[] = []
  for (let b = first; b <= to && buckets.length < 1000; b += stepMs) buckets.push(b)
  const types = [...new Set(stats.items.map((i) => i.type))]
  const count = (b: number, type: string) =>
    stats.items
      .filter((i) => i.type === type && Math.abs(new Date(i.bucket).getTime() - b) < stepMs / 2)
      .reduce((n, i) => n + i.count, 0)
  return {
    times: buckets.map((b) => b / 1000),
    series: types.map((type) => ({
      label: tOr(`type.${type}`, type),
      values: buckets.map((b) => count(b, type)),
    })),
    totals: types.map((type) => ({
      type,
      count: stats.items.filter((i) => i.type === type).reduce((n, i) => n + i.count, 0),
    })),
  }
}

function TargetRow({ label, v }: { label: string; v: Target }) {
  return (
    <tr>
      <td>{label}</td>
      <td>{pct(v.share)}</td>
      <td>{pct(v.target)}</td>
      <td class={v.met === null ? 'muted' : v.met ? 'target-met' : 'target-missed'}>
        {v.met === null ? '—' : v.met ? `✔ ${t('stats.met')}` : `✕ ${t('stats.missed')}`}
      </td>
    </tr>
  )
}

export function Stats() {
  const [period, setPeriod] = useState<Period>('day')
  const [siteId, setSiteId] = useState('')
  const [sites, setSites] = useState<Site[]>([])
  const [data, setData] = useState<{ a: AlertStats; r: ResponseStats; f: FalseAlarmStats } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const to = new Date()
  const from = new Date(to.getTime() - periods[period].ms)
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone
  const q = `from=${from.toISOString()}&to=${to.toISOString()}${siteId ? `&siteId=${siteId}` : ''}`
  const alertsQ = `${q}&bucket=${periods[period].bucket}&timeZone=${encodeURIComponent(tz)}`

  useEffect(() => {
    void listAll<Site>('/sites').then(setSites)
  }, [])
  useEffect(() => {
    setData(null)
    setError(null)
    Promise.all([
      api<AlertStats>('GET', `/stats/alerts?${alertsQ}`),
      api<ResponseStats>('GET', `/stats/response?${q}`),
      api<FalseAlarmStats>('GET', `/stats/false-alarms?${q}`),
    ])
      .then(([a, r, f]) => setData({ a, r, f }))
      .catch((e: Error) => setError(e.message))
  }, [period, siteId])

  const csv = (name: string, query: string) =>
    void download(`/stats/${name}?${query}&format=csv`, `${name}-${period}.csv`)
  const chart = data && series(data.a, from.getTime(), to.getTime(), periods[period].step)
  return (
    <div data-testid="stats">
      <div class="toolbar">
        <fieldset class="tabs periods">
          <legend class="sr">{t('stats.period')}</legend>
          {(Object.keys(periods) as Period[]).map((p) => (
            <button
              key={p}
              type="button"
              aria-pressed={p === period}
              onClick={() => setPeriod(p)}
              class={p === period ? 'primary' : ''}
            >
              {t(`stats.${p}` as Key)}
            </button>
          ))}
        </fieldset>
        <label class="field">
          <span>{t('admin.site')}</span>
          <select value={siteId} onChange={(e) => setSiteId(e.currentTarget.value)}>
            <option value="">{t('stats.allSites')}</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <p class="form-error">{error}</p>}
      {!data || !chart ? (
        !error && <p class="muted">{t('common.loading')}</p>
      ) : (
        <div class="stats-grid">
          <section class="card" aria-label={t('stats.alerts')}>
            <h3>
              {t('stats.alerts')} ({data.a.total}){' '}
              <button type="button" onClick={() => csv('alerts', alertsQ)}>
                ↓ CSV
              </button>
            </h3>
            {chart.times.length > 0 && (
              <Chart times={chart.times} series={chart.series} height={180} testId="stats-chart" />
            )}
            <table>
              <tbody>
                {chart.totals.map((r) => (
                  <tr key={r.type}>
                    <td>{tOr(`type.${r.type}`, r.type)}</td>
                    <td>{r.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="card" aria-label={t('stats.response')}>
            <h3>
              {t('stats.response')}{' '}
              <button type="button" onClick={() => csv('response', q)}>
                ↓ CSV
              </button>
            </h3>
            <dl>
              <dt>{t('stats.counted')}</dt>
              <dd>
                {data.r.alerts} · {t('state.acknowledged')} {data.r.acknowledged} · {t('state.resolved')}{' '}
                {data.r.resolved}
              </dd>
              <dt>{t('stats.ackP50P90')}</dt>
              <dd>
                {secs(data.r.timeToAcknowledge.p50)} / {secs(data.r.timeToAcknowledge.p90)}
              </dd>
              <dt>{t('stats.resolveP50P90')}</dt>
              <dd>
                {secs(data.r.timeToResolve.p50)} / {secs(data.r.timeToResolve.p90)}
              </dd>
            </dl>
            <table>
              <thead>
                <tr>
                  <th />
                  <th>{t('stats.share')}</th>
                  <th>{t('stats.target')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                <TargetRow label={t('stats.within60')} v={data.r.within60s} />
                <TargetRow label={t('stats.within180')} v={data.r.within180s} />
              </tbody>
            </table>
          </section>
          <section class="card" aria-label={t('stats.falseAlarms')}>
            <h3>
              {t('stats.falseAlarms')}{' '}
              <button type="button" onClick={() => csv('false-alarms', q)}>
                ↓ CSV
              </button>
            </h3>
            <table>
              <thead>
                <tr>
                  <th>{t('ws.deviceType')}</th>
                  <th>{t('state.resolved')}</th>
                  <th>{t('stats.falseAlarmCount')}</th>
                  <th>{t('stats.rate')}</th>
                </tr>
              </thead>
              <tbody>
                {[...data.f.items, { ...data.f.total, deviceType: undefined }].map((r) => (
                  <tr key={r.deviceType ?? 'total'}>
                    <td>{r.deviceType ? tOr(`device.${r.deviceType}`, r.deviceType) : t('stats.total')}</td>
                    <td>{r.resolved}</td>
                    <td>{r.falseAlarms}</td>
                    <td>{pct(r.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <VisitRate siteId={siteId} />
        </div>
      )}
    </div>
  )
}
