import { useEffect, useState } from 'preact/hooks'
import { api } from '../api'
import { download } from '../download'
import { t } from '../i18n'

// This month's welfare-visit rate (探访率) over special-difficulty residents, against the 100% target, per site,
// with who is still to be visited; the Statistics screen's visits table.

interface Rate {
  due: number
  visited: number
  rate: number | null
  met: boolean | null
}
interface VisitStats extends Rate {
  month: string
  sites: (Rate & { siteId: string; name: string; district: string | null })[]
  notVisited: { residentId: string; name: string; siteId: string }[]
}

const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`)
const LISTED = 20

export function VisitRate({ siteId }: { siteId: string }) {
  const [stats, setStats] = useState<VisitStats | null>(null)
  const q = siteId ? `?siteId=${siteId}` : ''
  useEffect(() => {
    setStats(null)
    api<VisitStats>('GET', `/stats/visits${q}`)
      .then(setStats)
      .catch(() => setStats(null))
  }, [siteId])
  if (!stats) return null
  const names = new Map(stats.sites.map((s) => [s.siteId, s.name]))
  return (
    <section class="card" aria-label={t('visits.rate')} data-testid="visit-rate">
      <h3>
        {t('visits.rate')} {stats.month}{' '}
        <button
          type="button"
          onClick={() =>
            void download(
              `/stats/visits?month=${stats.month}${q ? `&${q.slice(1)}` : ''}&format=csv`,
              `visits-${stats.month}.csv`,
            )
          }
        >
          ↓ CSV
        </button>
      </h3>
      <table>
        <thead>
          <tr>
            <th>{t('admin.site')}</th>
            <th>{t('visits.due')}</th>
            <th>{t('visits.visited')}</th>
            <th>{t('stats.rate')}</th>
          </tr>
        </thead>
        <tbody>
          {[...stats.sites, { ...stats, siteId: '', name: t('stats.total'), district: null }].map((s) => (
            <tr key={s.siteId || 'total'}>
              <td>{s.name}</td>
              <td>{s.due}</td>
              <td>{s.visited}</td>
              <td class={s.met === null ? 'muted' : s.met ? 'target-met' : 'target-missed'}>{pct(s.rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {stats.notVisited.length > 0 && (
        <>
          <h4>{t('visits.notVisited', { n: stats.notVisited.length })}</h4>
          <ul>
            {stats.notVisited.slice(0, LISTED).map((r) => (
              <li key={r.residentId}>
                {r.name} <span class="muted">· {names.get(r.siteId) ?? r.siteId}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
