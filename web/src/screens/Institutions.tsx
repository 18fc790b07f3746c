import { useEffect, useState } from 'preact/hooks'
import { listAll } from '../api'
import { download } from '../download'
import { formatTime, t, tOr } from '../i18n'
import { location, navigate } from '../router'
import type { Site } from '../types'
import { DetectorBoard } from './DetectorBoard'

// An institution's fire safety: its detector board, its fire-event log (with the CSV for inspections) and
// the monitoring centres it forwards to, with each link's state.

interface FireEvent {
  at: string
  source: string
  kind: string
  state: string | null
  deviceId: string | null
  deviceType: string | null
  actor: string | null
  note: string | null
}

interface Centre {
  id: string
  name: string
  url: string
  linkState: 'up' | 'down' | 'unknown'
  lastReceiptAt: string | null
}

function FireLog({ siteId }: { siteId: string }) {
  const [events, setEvents] = useState<FireEvent[] | null>(null)
  useEffect(() => {
    listAll<FireEvent>(`/sites/${siteId}/fire-events`, 500)
      .then(setEvents)
      .catch(() => setEvents([]))
  }, [siteId])
  return (
    <section class="card wide" aria-label={t('inst.fireLog')}>
      <h3>
        {t('inst.fireLog')}{' '}
        <button
          type="button"
          onClick={() => void download(`/sites/${siteId}/fire-events.csv`, `fire-events-${siteId}.csv`)}
        >
          ↓ {t('common.downloadCsv')}
        </button>
      </h3>
      {!events ? (
        <p class="muted">{t('common.loading')}</p>
      ) : events.length === 0 ? (
        <p class="muted">{t('inst.noEvents')}</p>
      ) : (
        <table data-testid="fire-log">
          <thead>
            <tr>
              <th>{t('inst.at')}</th>
              <th>{t('inst.source')}</th>
              <th>{t('inst.kind')}</th>
              <th>{t('inst.device')}</th>
              <th>{t('inst.actor')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={`${e.at}-${e.kind}-${e.deviceId}`}>
                <td>{formatTime(e.at)}</td>
                <td>{tOr(`inst.src.${e.source}`, e.source)}</td>
                <td>
                  {tOr(`type.${e.kind}`, tOr(`hist.${e.kind}`, e.kind))}{' '}
                  {e.state && `(${tOr(`estate.${e.state}`, e.state)})`}
                </td>
                <td class="mono">{e.deviceId ?? '—'}</td>
                <td>
                  {e.actor ?? ''} {e.note && <span class="muted">{e.note}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Centres({ siteId }: { siteId: string }) {
  const [centres, setCentres] = useState<Centre[] | null>(null)
  useEffect(() => {
    listAll<Centre>(`/sites/${siteId}/monitoring-centres`)
      .then(setCentres)
      .catch(() => setCentres([]))
  }, [siteId])
  return (
    <section class="card wide" aria-label={t('inst.centres')}>
      <h3>{t('inst.centres')}</h3>
      {!centres ? (
        <p class="muted">{t('common.loading')}</p>
      ) : centres.length === 0 ? (
        <p class="muted">{t('inst.noCentres')}</p>
      ) : (
        <ul>
          {centres.map((c) => (
            <li key={c.id}>
              <strong>{c.name}</strong> <span class="mono">{c.url}</span>{' '}
              <span class={c.linkState === 'up' ? 'ok' : c.linkState === 'down' ? 'bad' : 'muted'}>
                {c.linkState === 'up' ? '●' : '○'} {t(`link.${c.linkState}`)}
              </span>{' '}
              <span class="muted">
                {t('inst.lastReceipt')} {formatTime(c.lastReceiptAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export function Institutions() {
  const [sites, setSites] = useState<Site[] | null>(null)
  const siteId = new URLSearchParams(location.value.split('?')[1] ?? '').get('site') ?? sites?.[0]?.id
  useEffect(() => {
    listAll<Site>('/sites?kind=institution')
      .then(setSites)
      .catch(() => setSites([]))
  }, [])
  if (!sites) return <p class="muted">{t('common.loading')}</p>
  if (sites.length === 0) return <p class="muted">{t('inst.none')}</p>
  return (
    <div data-testid="institutions">
      <div class="toolbar">
        <label class="field">
          <span>{t('inst.site')}</span>
          <select value={siteId} onChange={(e) => navigate(`/institutions?site=${e.currentTarget.value}`)}>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {siteId && (
        <>
          <DetectorBoard siteId={siteId} />
          <Centres siteId={siteId} />
          <FireLog siteId={siteId} />
        </>
      )}
    </div>
  )
}
