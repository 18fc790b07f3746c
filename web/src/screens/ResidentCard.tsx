import { ageInYears } from '../age'
import { abilityKeys } from '../alert-kinds'
import { entity } from '../cache'
import { Copy } from '../components/Copy'
import { InviteFamily } from '../components/InviteFamily'
import { VisitsPanel } from '../components/VisitsPanel'
import { t } from '../i18n'
import { session } from '../session'
import type { Resident, Site } from '../types'

/** Who is in trouble and whom to call, in the order the family asked to be called. */
export function ResidentCard({ residentId, siteId }: { residentId: string | null; siteId: string | null }) {
  const resident = entity<Resident>('residents', residentId)
  const site = entity<Site>('sites', siteId)
  const age = ageInYears(resident?.birthDate, new Date())
  return (
    <section class="card" aria-label={t('ws.resident')} data-testid="resident-card">
      <h3>{t('ws.resident')}</h3>
      {!resident ? (
        <p class="muted">{residentId ? t('common.loading') : t('ws.noResident')}</p>
      ) : (
        <>
          <p class="big">{resident.name}</p>
          <dl>
            <dt>{t('ws.age')}</dt>
            <dd data-testid="resident-age">
              {age === null ? '—' : t('ws.ageValue', { age, birthDate: resident.birthDate ?? '' })}
            </dd>
            <dt>{t('ws.ability')}</dt>
            <dd>
              {resident.abilityLevel} · {t(abilityKeys[resident.abilityLevel] ?? 'ability.0')}
            </dd>
            <dt>{t('ws.livesAlone')}</dt>
            <dd>{resident.livesAlone ? t('common.yes') : t('common.no')}</dd>
            <dt>{t('ws.conditions')}</dt>
            <dd>{resident.conditions?.length ? resident.conditions.join('、') : '—'}</dd>
          </dl>
        </>
      )}
      {site && (
        <dl>
          <dt>{t('ws.address')}</dt>
          <dd>
            {site.name} · {site.address}
          </dd>
        </dl>
      )}
      {resident && (
        <>
          <h4>{t('ws.contacts')}</h4>
          {resident.contacts.length === 0 ? (
            <p class="muted">{t('ws.noContacts')}</p>
          ) : (
            <ol class="contacts">
              {resident.contacts.map((c) => (
                <li key={`${c.name}-${c.phone}`}>
                  <strong>{c.name}</strong> ({c.relation}){' '}
                  {c.phone && (
                    <>
                      <a href={`tel:${c.phone}`}>{c.phone}</a> <Copy text={c.phone} />
                    </>
                  )}
                  {c.email && <span class="muted"> {c.email}</span>}
                </li>
              ))}
            </ol>
          )}
          {/* the care team invites (README, "Roles"); a family or county-centre user never reads a resident */}
          {session.user.value?.role !== 'family' && <InviteFamily residentId={resident.id} />}
          <VisitsPanel residentId={resident.id} special={resident.specialDifficulty ?? false} />
        </>
      )}
    </section>
  )
}
