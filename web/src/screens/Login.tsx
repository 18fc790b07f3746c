import { useState } from 'preact/hooks'
import type { ApiError } from '../api'
import { Field, FormError } from '../components/Field'
import { t } from '../i18n'
import { queryParam } from '../router'
import { login } from '../session'

export function LoginScreen() {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  async function submit(e: Event) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      // the shell sees the new session and goes on to ?next=
      await login(username, password)
    } catch (err) {
      setError(err as ApiError)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="login">
      <form onSubmit={submit} aria-label={t('login.title')}>
        <h1>{t('app.title')}</h1>
        {queryParam('expired') && <p class="notice">{t('login.expired')}</p>}
        <FormError error={error} />
        <Field label={t('login.username')} name="username" error={error}>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            required
          />
        </Field>
        <Field label={t('login.password')} name="password" error={error}>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  )
}
