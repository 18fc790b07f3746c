import './styles.css'
import { effect } from '@preact/signals'
import { render } from 'preact'
import { lazy, Suspense } from 'preact/compat'
import { useEffect } from 'preact/hooks'
import { askNotificationPermission, muted, notificationPermission, setMuted } from './alarm'
import { liveState, startAlerts, stopAlerts } from './alerts'
import { lang, setLanguage, t, userLanguage } from './i18n'
import { helpOpen, installShortcuts } from './keys'
import { linkTo, location, match, navigate, nextPath } from './router'
import { JoinScreen } from './screens/Join'
import { LoginScreen } from './screens/Login'
import { QueueScreen, step } from './screens/Queue'
import { loadMe, loggedIn, logout, session } from './session'

// The shell: who is logged in, the feed's state, mute, language, and the screens. Heavy screens (map,
// institutions, administration, statistics) are separate chunks loaded on first visit.

const MapScreen = lazy(() => import('./screens/MapScreen').then((m) => m.MapScreen))
const Institutions = lazy(() => import('./screens/Institutions').then((m) => m.Institutions))
const Admin = lazy(() => import('./screens/admin/Admin').then((m) => m.Admin))
const Stats = lazy(() => import('./screens/Stats').then((m) => m.Stats))

const onQueue = () => location.value === '/' || match('/alerts/:id', location.value) !== null
installShortcuts({ step: (by) => onQueue() && step(by) })

effect(() => {
  document.documentElement.lang = lang.value
})
effect(() => {
  userLanguage.value = session.user.value?.language ?? null
})

function LiveBadge() {
  const s = liveState.value
  return (
    <span class={`live live-${s}`} role="status" data-testid="live-state" data-state={s}>
      {s === 'connected' ? '●' : '◌'} {t(`live.${s}`)}
    </span>
  )
}

function Help() {
  if (!helpOpen.value) return null
  const rows: [string, string][] = [
    ['J / ↓', t('help.next')],
    ['K / ↑', t('help.previous')],
    ['A', t('help.ack')],
    ['R', t('help.resolve')],
    ['?', t('help.toggle')],
  ]
  return (
    <div class="help" role="dialog" aria-label={t('help.title')}>
      <h2>{t('help.title')}</h2>
      <table>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => (helpOpen.value = false)}>
        {t('common.close')}
      </button>
    </div>
  )
}

function NavLink({ to, label }: { to: string; label: string }) {
  const here = location.value === to || (to !== '/' && location.value.startsWith(to))
  return (
    <a href={to} onClick={(e) => linkTo(e, to)} aria-current={here ? 'page' : undefined}>
      {label}
    </a>
  )
}

function Shell() {
  const user = session.user.value
  const careTeam = user?.role !== 'family' && user?.role !== 'county-centre'
  useEffect(() => {
    startAlerts()
    if (!session.user.value) void loadMe().catch(() => {})
  }, [])
  const path = location.value
  let screen = <QueueScreen />
  if (path.startsWith('/map')) screen = <MapScreen />
  else if (path.startsWith('/institutions')) screen = <Institutions />
  else if (path.startsWith('/admin')) screen = <Admin />
  else if (path.startsWith('/stats')) screen = <Stats />
  return (
    <>
      <header class="top">
        <strong class="brand">{t('app.title')}</strong>
        <nav aria-label={t('nav.label')}>
          <NavLink to="/" label={t('nav.queue')} />
          {/* the narrow roles (README, "Roles") read alerts; a county-centre its institutions too */}
          {careTeam && <NavLink to="/map" label={t('nav.map')} />}
          {user?.role !== 'family' && <NavLink to="/institutions" label={t('nav.institutions')} />}
          {careTeam && <NavLink to="/stats" label={t('nav.stats')} />}
          {(user?.role === 'admin' || user?.role === 'supervisor') && (
            <NavLink to="/admin" label={t('nav.admin')} />
          )}
        </nav>
        <LiveBadge />
        <button
          type="button"
          aria-pressed={muted.value}
          onClick={() => setMuted(!muted.value)}
          data-testid="mute"
        >
          {muted.value ? `🔇 ${t('top.muted')}` : `🔊 ${t('top.sound')}`}
        </button>
        {notificationPermission.value === 'default' && (
          <button type="button" onClick={askNotificationPermission}>
            {t('top.enableNotifications')}
          </button>
        )}
        <select
          aria-label={t('top.language')}
          value={lang.value}
          onChange={(e) => setLanguage(e.currentTarget.value as 'zh-CN' | 'en')}
          data-testid="language"
        >
          <option value="zh-CN">中文</option>
          <option value="en">English</option>
        </select>
        <span class="user">
          {user?.name ?? user?.username} ({user ? t(`role.${user.role}`) : ''})
        </span>
        <button type="button" onClick={() => void logout().then(stopAlerts)} data-testid="logout">
          {t('top.logout')}
        </button>
        <button type="button" onClick={() => (helpOpen.value = true)} aria-label={t('help.title')}>
          ?
        </button>
      </header>
      <main id="main">
        <Suspense fallback={<p class="muted">{t('common.loading')}</p>}>{screen}</Suspense>
      </main>
      <Help />
    </>
  )
}

function App() {
  const path = location.value
  // an invitation link works whoever is logged in on this browser: joining signs the new family user in
  if (match('/join', path)) return <JoinScreen />
  if (!loggedIn.value) {
    if (!path.startsWith('/login')) {
      stopAlerts()
      queueMicrotask(() => navigate(`/login?next=${encodeURIComponent(path)}`, true))
      return null
    }
    return <LoginScreen />
  }
  if (path.startsWith('/login')) {
    queueMicrotask(() => navigate(nextPath(), true))
    return null
  }
  return <Shell />
}

render(<App />, document.getElementById('app')!)
