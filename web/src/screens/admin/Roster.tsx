import { useEffect, useState } from 'preact/hooks'
import { type ApiError, api, listAll } from '../../api'
import { Field, FormError } from '../../components/Field'
import { formatTime, type Key, t } from '../../i18n'
import type { Site } from '../../types'
import { SitePicker } from './SitePicker'

// Duty rosters as a week: one column per weekday, each weekly shift in the days it covers, one-off shifts
// listed below. A new shift is weekly (days + HH:MM) and names a user or a person with a phone.

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

interface Shift {
  id: string
  userId: string | null
  name: string | null
  phone: string | null
  kind: 'weekly' | 'once'
  days: string[] | null
  from: string
  to: string
}

export function Roster({ sites }: { sites: Site[] }) {
  const [siteId, setSiteId] = useState<string | undefined>()
  const [shifts, setShifts] = useState<Shift[] | null>(null)
  const [form, setForm] = useState({
    name: '',
    phone: '',
    userId: '',
    from: '08:00',
    to: '20:00',
    days: ['mon'],
  })
  const [error, setError] = useState<ApiError | null>(null)
  const [version, setVersion] = useState(0)
  const site = siteId ?? sites[0]?.id
  useEffect(() => {
    if (site) void listAll<Shift>(`/sites/${site}/shifts`).then(setShifts)
  }, [site, version])

  async function add(e: Event) {
    e.preventDefault()
    setError(null)
    const body: Record<string, unknown> = { days: form.days, from: form.from, to: form.to }
    for (const k of ['name', 'phone', 'userId'] as const) if (form[k]) body[k] = form[k]
    try {
      await api('POST', `/sites/${site}/shifts`, body)
      setVersion((v) => v + 1)
    } catch (err) {
      setError(err as ApiError)
    }
  }
  async function remove(id: string) {
    await api('DELETE', `/sites/${site}/shifts/${id}`)
    setVersion((v) => v + 1)
  }
  const who = (s: Shift) => s.name ?? s.userId ?? '—'
  return (
    <div data-testid="roster">
      <SitePicker sites={sites} value={site} onChange={setSiteId} />
      {!shifts ? (
        <p class="muted">{t('common.loading')}</p>
      ) : (
        <>
          <table class="week">
            <thead>
              <tr>
                {days.map((d) => (
                  <th key={d}>{t(`day.${d}` as Key)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                {days.map((d) => (
                  <td key={d}>
                    {shifts
                      .filter((s) => s.days?.includes(d))
                      .map((s) => (
                        <div key={s.id} class="shift">
                          <strong>
                            {s.from}–{s.to}
                          </strong>{' '}
                          {who(s)}
                          <button
                            type="button"
                            class="copy"
                            onClick={() => remove(s.id)}
                            aria-label={t('common.delete')}
                          >
                            ✕
                          </button>
                        </div>
                      ))}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
          {shifts
            .filter((s) => s.kind === 'once')
            .map((s) => (
              <p key={s.id}>
                {formatTime(s.from)} – {formatTime(s.to)} · {who(s)}
              </p>
            ))}
        </>
      )}
      <form class="card admin-form" onSubmit={add}>
        <h3>{t('admin.newShift')}</h3>
        <FormError error={error?.details.length ? null : error} />
        <fieldset class="days">
          <legend>{t('admin.days')}</legend>
          {days.map((d) => (
            <label key={d}>
              <input
                type="checkbox"
                checked={form.days.includes(d)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    days: e.currentTarget.checked ? [...form.days, d] : form.days.filter((x) => x !== d),
                  })
                }
              />{' '}
              {t(`day.${d}` as Key)}
            </label>
          ))}
        </fieldset>
        {(['from', 'to', 'name', 'phone', 'userId'] as const).map((k) => (
          <Field key={k} label={t(`admin.shift.${k}` as Key)} name={k} error={error}>
            <input value={form[k]} onInput={(e) => setForm({ ...form, [k]: e.currentTarget.value })} />
          </Field>
        ))}
        <button type="submit" class="primary">
          {t('common.create')}
        </button>
      </form>
    </div>
  )
}
