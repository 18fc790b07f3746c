import { useEffect, useState } from 'preact/hooks'
import { api, type Page } from '../api'
import { t } from '../i18n'

// The resident's latest welfare visits (探访关爱), on the resident card: who, when, how, what they found.

interface Visit {
  id: string
  at: string
  visitor: string
  kind: 'in-person' | 'phone' | 'video'
  findings: string | null
  followUp: boolean
}

const SHOWN = 3

export function VisitsPanel({ residentId, special }: { residentId: string; special: boolean }) {
  const [visits, setVisits] = useState<Visit[] | null>(null)
  useEffect(() => {
    setVisits(null)
    api<Page<Visit>>('GET', `/residents/${residentId}/visits?limit=${SHOWN}`)
      .then((p) => setVisits(p.items))
      .catch(() => setVisits([]))
  }, [residentId])
  return (
    <div data-testid="visits-panel">
      <h4>
        {t('visits.title')}
        {special && <span class="muted"> · {t('visits.special')}</span>}
      </h4>
      {visits === null ? (
        <p class="muted">{t('common.loading')}</p>
      ) : visits.length === 0 ? (
        <p class="muted">{t('visits.none')}</p>
      ) : (
        <ul>
          {visits.map((v) => (
            <li key={v.id}>
              {new Date(v.at).toLocaleDateString()} · {t(`visits.kind.${v.kind}`)} · {v.visitor}
              {v.followUp && <strong> · {t('visits.followUp')}</strong>}
              {v.findings && <span class="muted"> — {v.findings}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
