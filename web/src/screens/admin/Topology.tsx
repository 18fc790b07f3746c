import { useEffect, useState } from 'preact/hooks'
import { type ApiError, api, listAll } from '../../api'
import { Field, FormError } from '../../components/Field'
import { type Key, t } from '../../i18n'
import type { Site } from '../../types'
import { SitePicker } from './SitePicker'

// An institution's topology: buildings, floors, zones, rooms and beds as one indented tree; a place is added
// under a parent (a building at the top has none). The hub says when a place cannot go where asked.

const kinds = ['building', 'floor', 'zone', 'room', 'bed'] as const

interface Place {
  id: string
  parentId: string | null
  kind: (typeof kinds)[number]
  name: string
}

export function Topology({ sites }: { sites: Site[] }) {
  const [siteId, setSiteId] = useState<string | undefined>()
  const [places, setPlaces] = useState<Place[] | null>(null)
  const [form, setForm] = useState({ kind: 'building', name: '', parentId: '' })
  const [error, setError] = useState<ApiError | null>(null)
  const [version, setVersion] = useState(0)
  const site = siteId ?? sites[0]?.id
  useEffect(() => {
    if (site) void listAll<Place>(`/sites/${site}/places`).then(setPlaces)
  }, [site, version])
  if (sites.length === 0) return <p class="muted">{t('inst.none')}</p>

  async function add(e: Event) {
    e.preventDefault()
    setError(null)
    try {
      await api('POST', `/sites/${site}/places`, {
        kind: form.kind,
        name: form.name,
        ...(form.parentId ? { parentId: form.parentId } : {}),
      })
      setForm({ ...form, name: '' })
      setVersion((v) => v + 1)
    } catch (err) {
      setError(err as ApiError)
    }
  }
  const children = (parent: string | null): Place[] => (places ?? []).filter((p) => p.parentId === parent)
  const tree = (parent: string | null) => (
    <ul class="tree">
      {children(parent).map((p) => (
        <li key={p.id}>
          {t(`place.${p.kind}` as Key)} <strong>{p.name}</strong>
          {tree(p.id)}
        </li>
      ))}
    </ul>
  )
  return (
    <div data-testid="topology">
      <SitePicker sites={sites} value={site} onChange={setSiteId} />
      {places === null ? <p class="muted">{t('common.loading')}</p> : tree(null)}
      <form class="card admin-form" onSubmit={add}>
        <h3>{t('admin.newPlace')}</h3>
        <FormError error={error?.details.length ? null : error} />
        <Field label={t('admin.kind')} name="kind" error={error}>
          <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`place.${k}` as Key)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('admin.name')} name="name" error={error}>
          <input value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        </Field>
        <Field label={t('admin.parent')} name="parentId" error={error}>
          <select
            value={form.parentId}
            onChange={(e) => setForm({ ...form, parentId: e.currentTarget.value })}
          >
            <option value="">{t('common.none')}</option>
            {(places ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {t(`place.${p.kind}` as Key)} {p.name}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary">
          {t('common.create')}
        </button>
      </form>
    </div>
  )
}
