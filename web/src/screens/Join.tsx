import { useEffect, useState } from 'preact/hooks'
import { ApiError, api } from '../api'
import { Field, FormError } from '../components/Field'
import { browserLanguage, lang, t, userLanguage } from '../i18n'
import { linkTo, navigate, queryParam } from '../router'
import { adopt } from '../session'

// The page a family invitation link opens (README, "Family accounts"): the relative chooses a username and
// password, the hub creates the family account and signs it in, and the queue shows its relative's alarms.
// Families open it on a phone, before any login: the language is the browser's.

type Done = 'used' | 'invalid' | null

/** The invitation's own failures (used or expired, unknown) end the form: a new link is needed. */
function inviteProblem(err: unknown): Done {
  if (!(err instanceof ApiError)) return null
  if (err.code === 'HUB_ERR_CONFLICT') return 'used'
  if (err.status === 404 || err.fieldMessage('invite')) return 'invalid'
  return null
}

export function JoinScreen() {
  const invite = queryParam('invite')
  const [name, setName] = useState('')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [error, setError] = useState<ApiError | null>(null)
  const [dead, setDead] = useState<Done>(invite ? null : 'invalid')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    userLanguage.value = browserLanguage()
  }, [])

  async function submit(e: Event) {
    e.preventDefault()
    if (password !== confirm) {
      const message = t('join.mismatch')
      setError(new ApiError(400, 'HUB_ERR_VALIDATION', message, [{ field: 'confirm', message }]))
      return
    }
    setBusy(true)
    setError(null)
    try {
      const res = await api<{ token: string; expiresAt: string }>('POST', '/auth/join', {
        invite,
        username,
        password,
        ...(name.trim() ? { name: name.trim() } : {}),
        language: lang.value,
      })
      await adopt(res)
      navigate('/', true)
    } catch (err) {
      const problem = inviteProblem(err)
      if (problem) setDead(problem)
      else if (err instanceof ApiError && err.code === 'HUB_ERR_ALREADY_EXISTS') {
        // the invitation is still good (nothing was kept): another username will do
        const message = t('join.taken')
        setError(new ApiError(err.status, err.code, message, [{ field: 'username', message }]))
      } else setError(err as ApiError)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="login join">
      <form onSubmit={submit} aria-label={t('join.title')} data-testid="join">
        <h1>{t('join.title')}</h1>
        {dead ? (
          <p class="form-error" role="alert" data-testid="join-dead" data-reason={dead}>
            {t(dead === 'used' ? 'join.used' : 'join.invalid')}
          </p>
        ) : (
          <>
            <p>{t('join.intro')}</p>
            <FormError error={error?.details.length ? null : error} />
            <Field label={t('login.username')} name="username" error={error}>
              <input
                name="username"
                autoComplete="username"
                autoCapitalize="none"
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
                required
              />
            </Field>
            <Field label={t('join.name')} name="name" error={error}>
              <input
                name="name"
                autoComplete="name"
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
              />
            </Field>
            <Field label={t('login.password')} name="password" error={error}>
              <input
                name="password"
                type="password"
                autoComplete="new-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
                required
              />
              <small class="muted">{t('join.passwordHint')}</small>
            </Field>
            <Field label={t('join.confirm')} name="confirm" error={error}>
              <input
                name="confirm"
                type="password"
                autoComplete="new-password"
                value={confirm}
                onInput={(e) => setConfirm(e.currentTarget.value)}
                required
              />
            </Field>
            <button type="submit" class="primary" disabled={busy}>
              {t('join.submit')}
            </button>
          </>
        )}
        <p>
          <a href="/login" onClick={(e) => linkTo(e, '/login')}>
            {t('join.haveAccount')}
          </a>
        </p>
      </form>
    </main>
  )
}
