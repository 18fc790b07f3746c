import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, type Page } from '../../api'
import { Field, FormError } from '../../components/Field'
import { type Key, t } from '../../i18n'

// One administration list with its form: searchable (?q=), paged by the API's cursor, and a create / edit
// form whose fields show the API's own messages next to them. Each collection is described as data.

export type FieldKind = 'text' | 'password' | 'number' | 'date' | 'select' | 'checkbox' | 'lines' | 'json'

export interface FieldSpec {
  name: string
  label: Key
  kind: FieldKind
  options?: { value: string; label: string }[]
  /** shown on create only (a password, a device type that cannot change) */
  createOnly?: boolean
  required?: boolean
}

export interface Column<T> {
  label: Key
  render: (row: T) => ComponentChildren
}

export interface ResourceSpec<T extends { id: string }> {
  path: string
  columns: Column<T>[]
  fields: FieldSpec[]
  /** what to do with a create's answer (a device's secret is shown once) */
  onCreated?: (created: T) => void
  canWrite: boolean
  canDelete?: boolean
}

const PAGE = 25

function toForm(spec: FieldSpec[], row: Record<string, unknown> | null): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {}
  for (const f of spec) {
    const v = row?.[f.name]
    if (f.kind === 'checkbox') out[f.name] = Boolean(v)
    else if (f.kind === 'lines') out[f.name] = Array.isArray(v) ? v.join('\n') : ''
    else if (f.kind === 'json') out[f.name] = v === undefined ? '' : JSON.stringify(v, null, 2)
    else out[f.name] = v == null ? (f.kind === 'select' ? (f.options?.[0]?.value ?? '') : '') : String(v)
  }
  return out
}

/** The form's values as the API's body; an empty optional field is left out. */
function toBody(spec: FieldSpec[], form: Record<string, string | boolean>, creating: boolean) {
  const body: Record<string, unknown> = {}
  for (const f of spec) {
    if (f.createOnly && !creating) continue
    const v = form[f.name]
    if (f.kind === 'checkbox') body[f.name] = v
    else if (v === '' || v === undefined) continue
    else if (f.kind === 'number') body[f.name] = Number(v)
    else if (f.kind === 'lines')
      body[f.name] = String(v)
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
    else if (f.kind === 'json') {
      try {
        body[f.name] = JSON.parse(String(v))
      } catch {
        throw new ApiError(400, 'HUB_ERR_VALIDATION', t('admin.badJson'), [
          { field: `body.${f.name}`, message: t('admin.badJson') },
        ])
      }
    } else body[f.name] = v
  }
  return body
}

function Input({
  f,
  value,
  set,
}: {
  f: FieldSpec
  value: string | boolean
  set: (v: string | boolean) => void
}) {
  const common = { name: f.name, required: f.required }
  if (f.kind === 'checkbox')
    return (
      <input
        type="checkbox"
        {...common}
        checked={Boolean(value)}
        onChange={(e) => set(e.currentTarget.checked)}
      />
    )
  if (f.kind === 'select')
    return (
      <select {...common} value={String(value)} onChange={(e) => set(e.currentTarget.value)}>
        {f.options?.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    )
  if (f.kind === 'lines' || f.kind === 'json')
    return (
      <textarea
        {...common}
        rows={f.kind === 'json' ? 6 : 3}
        value={String(value)}
        onInput={(e) => set(e.currentTarget.value)}
      />
    )
  const onInput = (e: { currentTarget: HTMLInputElement }) => set(e.currentTarget.value)
  if (f.kind === 'number')
    return <input {...common} type="number" step="any" value={String(value)} onInput={onInput} />
  if (f.kind === 'date') return <input {...common} type="date" value={String(value)} onInput={onInput} />
  if (f.kind === 'password')
    return <input {...common} type="password" value={String(value)} onInput={onInput} />
  return <input {...common} type="text" value={String(value)} onInput={onInput} />
}

export function Resource<T extends { id: string }>({ spec }: { spec: ResourceSpec<T> }) {
  const [q, setQ] = useState('')
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const [page, setPage] = useState<Page<T> | null>(null)
  const [editing, setEditing] = useState<T | 'new' | null>(null)
  const [form, setForm] = useState<Record<string, string | boolean>>({})
  const [error, setError] = useState<ApiError | null>(null)
  const [version, setVersion] = useState(0)
  const cursor = cursors[cursors.length - 1]

  useEffect(() => {
    const sep = spec.path.includes('?') ? '&' : '?'
    const query = `limit=${PAGE}${q ? `&q=${encodeURIComponent(q)}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    api<Page<T>>('GET', `${spec.path}${sep}${query}`)
      .then(setPage)
      .catch((e: ApiError) => setError(e))
  }, [spec.path, q, cursor, version])

  function open(row: T | 'new') {
    setEditing(row)
    setError(null)
    setForm(toForm(spec.fields, row === 'new' ? null : (row as unknown as Record<string, unknown>)))
  }

  async function save(e: Event) {
    e.preventDefault()
    setError(null)
    const creating = editing === 'new'
    try {
      const body = toBody(spec.fields, form, creating)
      const base = spec.path.split('?')[0]
      const saved = creating
        ? await api<T>('POST', base!, body)
        : await api<T>('PATCH', `${base}/${(editing as T).id}`, body)
      if (creating) spec.onCreated?.(saved)
      setEditing(null)
      setVersion((v) => v + 1)
    } catch (err) {
      setError(err as ApiError)
    }
  }

  async function remove(row: T) {
    if (!confirm(t('admin.confirmDelete'))) return
    try {
      await api('DELETE', `${spec.path.split('?')[0]}/${row.id}`)
      setVersion((v) => v + 1)
    } catch (err) {
      setError(err as ApiError)
    }
  }

  return (
    <div class="resource">
      <div class="toolbar">
        <label class="field">
          <span>{t('common.search')}</span>
          <input
            type="search"
            value={q}
            onInput={(e) => {
              setQ(e.currentTarget.value)
              setCursors([undefined])
            }}
          />
        </label>
        {spec.canWrite && (
          <button type="button" class="primary" onClick={() => open('new')} data-testid="create">
            + {t('common.create')}
          </button>
        )}
      </div>
      {editing && (
        <form class="card admin-form" onSubmit={save} data-testid="admin-form">
          <FormError error={error?.details.length ? null : error} />
          {spec.fields
            .filter((f) => editing === 'new' || !f.createOnly)
            .map((f) => (
              <Field key={f.name} label={t(f.label)} name={f.name} error={error}>
                <Input f={f} value={form[f.name] ?? ''} set={(v) => setForm({ ...form, [f.name]: v })} />
              </Field>
            ))}
          <div class="buttons">
            <button type="submit" class="primary">
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {!editing && <FormError error={error} />}
      {!page ? (
        <p class="muted">{t('common.loading')}</p>
      ) : (
        <table data-testid="resource-list">
          <thead>
            <tr>
              {spec.columns.map((c) => (
                <th key={c.label}>{t(c.label)}</th>
              ))}
              {spec.canWrite && <th />}
            </tr>
          </thead>
          <tbody>
            {page.items.map((row) => (
              <tr key={row.id} data-id={row.id}>
                {spec.columns.map((c) => (
                  <td key={c.label}>{c.render(row)}</td>
                ))}
                {spec.canWrite && (
                  <td class="buttons">
                    <button type="button" onClick={() => open(row)}>
                      {t('common.edit')}
                    </button>
                    {spec.canDelete !== false && (
                      <button type="button" onClick={() => remove(row)}>
                        {t('common.delete')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="buttons">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('common.prev')}
        </button>
        <button
          type="button"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
        >
          {t('common.next')}
        </button>
      </div>
    </div>
  )
}
