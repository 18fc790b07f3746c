import { useEffect, useState } from 'preact/hooks'
import { listAll } from '../../api'
import { Copy } from '../../components/Copy'
import { t, tOr } from '../../i18n'
import { linkTo, location } from '../../router'
import { session } from '../../session'
import type { Device, Resident, Site, User } from '../../types'
import { placeText } from '../DeviceCard'
import { Import } from './Import'
import { Resource, type ResourceSpec } from './Resource'
import { Roster } from './Roster'
import { Topology } from './Topology'

// Administration: one tab per collection. Sites, residents, devices, users and escalation policies are
// plain lists with forms (Resource); rosters, topology and the detector import work per site.

const tabs = ['sites', 'residents', 'devices', 'users', 'rosters', 'policies', 'topology', 'import'] as const
type Tab = (typeof tabs)[number]

const deviceTypes = [
  'call-button',
  'fall-sensor',
  'smoke-detector',
  'motion-sensor',
  'door-contact',
  'bed-sensor',
  'water-meter',
]

function SecretOnce({ device, onClose }: { device: Device; onClose: () => void }) {
  return (
    <div class="card notice" role="alert" data-testid="device-secret">
      <p>{t('admin.secretOnce', { id: device.id })}</p>
      <p class="secret">{device.secret}</p>
      <div class="buttons">
        <Copy text={device.secret ?? ''} label={t('admin.secret')} />
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </div>
  )
}

export function Admin() {
  const tab = (location.value.split('?')[0]!.split('/')[2] ?? 'sites') as Tab
  const [sites, setSites] = useState<Site[]>([])
  const [secret, setSecret] = useState<Device | null>(null)
  const isAdmin = session.user.value?.role === 'admin'
  useEffect(() => {
    void listAll<Site>('/sites').then(setSites)
  }, [tab])
  const siteOptions = sites.map((s) => ({ value: s.id, label: s.name }))
  const siteName = (id: string | null | undefined) => sites.find((s) => s.id === id)?.name ?? id ?? '—'

  const specs = {
    sites: {
      path: '/sites',
      canWrite: isAdmin,
      columns: [
        { label: 'admin.name', render: (s: Site) => s.name },
        { label: 'admin.kind', render: (s: Site) => t(`site.${s.kind}`) },
        { label: 'admin.address', render: (s: Site) => s.address },
        { label: 'admin.coordinates', render: (s: Site) => (s.lat == null ? '—' : `${s.lat}, ${s.lon}`) },
      ],
      fields: [
        {
          name: 'kind',
          label: 'admin.kind',
          kind: 'select',
          createOnly: true,
          options: [
            { value: 'institution', label: t('site.institution') },
            { value: 'home', label: t('site.home') },
          ],
        },
        { name: 'name', label: 'admin.name', kind: 'text', required: true },
        { name: 'address', label: 'admin.address', kind: 'text', required: true },
        { name: 'lat', label: 'admin.lat', kind: 'number' },
        { name: 'lon', label: 'admin.lon', kind: 'number' },
        { name: 'timezone', label: 'admin.timezone', kind: 'text' },
      ],
    } satisfies ResourceSpec<Site>,
    residents: {
      path: '/residents',
      canWrite: isAdmin,
      columns: [
        { label: 'admin.name', render: (r: Resident) => r.name },
        { label: 'admin.site', render: (r: Resident) => siteName(r.siteId) },
        {
          label: 'ws.ability',
          render: (r: Resident) => `${r.abilityLevel} · ${t(`ability.${r.abilityLevel}` as 'ability.0')}`,
        },
        {
          label: 'ws.livesAlone',
          render: (r: Resident) => (r.livesAlone ? t('common.yes') : t('common.no')),
        },
        { label: 'ws.contacts', render: (r: Resident) => r.contacts.map((c) => c.name).join('、') || '—' },
      ],
      fields: [
        { name: 'siteId', label: 'admin.site', kind: 'select', options: siteOptions, createOnly: true },
        { name: 'name', label: 'admin.name', kind: 'text', required: true },
        {
          name: 'abilityLevel',
          label: 'ws.ability',
          kind: 'select',
          options: [0, 1, 2, 3, 4].map((l) => ({
            value: String(l),
            label: `${l} · ${t(`ability.${l}` as 'ability.0')}`,
          })),
        },
        { name: 'birthDate', label: 'admin.birthDate', kind: 'date' },
        { name: 'livesAlone', label: 'ws.livesAlone', kind: 'checkbox' },
        { name: 'conditions', label: 'admin.conditionsLines', kind: 'lines' },
        { name: 'contacts', label: 'admin.contactsJson', kind: 'json' },
      ],
    } satisfies ResourceSpec<Resident>,
    devices: {
      path: '/devices',
      canWrite: isAdmin,
      onCreated: (d: Device) => setSecret(d),
      columns: [
        { label: 'admin.id', render: (d: Device) => <span class="mono">{d.id}</span> },
        { label: 'ws.deviceType', render: (d: Device) => tOr(`device.${d.type}`, d.type) },
        { label: 'admin.site', render: (d: Device) => siteName(d.siteId) },
        { label: 'ws.location', render: (d: Device) => placeText(d.location) },
        {
          label: 'ws.online',
          render: (d: Device) => (d.online ? `● ${t('ws.isOnline')}` : `○ ${t('ws.isOffline')}`),
        },
      ],
      fields: [
        {
          name: 'type',
          label: 'ws.deviceType',
          kind: 'select',
          createOnly: true,
          options: deviceTypes.map((d) => ({ value: d, label: tOr(`device.${d}`, d) })),
        },
        { name: 'siteId', label: 'admin.site', kind: 'select', options: siteOptions, createOnly: true },
        { name: 'residentId', label: 'admin.residentId', kind: 'text' },
        { name: 'location', label: 'admin.locationJson', kind: 'json' },
      ],
    } satisfies ResourceSpec<Device>,
    users: {
      path: '/users',
      canWrite: isAdmin,
      canDelete: false,
      columns: [
        { label: 'login.username', render: (u: User) => u.username },
        { label: 'admin.name', render: (u: User) => u.name ?? '—' },
        { label: 'admin.role', render: (u: User) => t(`role.${u.role}`) },
        { label: 'admin.sites', render: (u: User) => (u.siteIds ?? []).map(siteName).join('、') || '—' },
        { label: 'admin.disabled', render: (u: User) => (u.disabled ? t('common.yes') : t('common.no')) },
      ],
      fields: [
        { name: 'username', label: 'login.username', kind: 'text', createOnly: true, required: true },
        { name: 'password', label: 'login.password', kind: 'password' },
        {
          name: 'role',
          label: 'admin.role',
          kind: 'select',
          options: (['operator', 'staff', 'supervisor', 'admin'] as const).map((r) => ({
            value: r,
            label: t(`role.${r}`),
          })),
        },
        { name: 'siteIds', label: 'admin.siteIdsLines', kind: 'lines' },
        { name: 'name', label: 'admin.name', kind: 'text' },
        { name: 'phone', label: 'admin.phone', kind: 'text' },
        {
          name: 'language',
          label: 'top.language',
          kind: 'select',
          options: [
            { value: 'zh-CN', label: '中文' },
            { value: 'en', label: 'English' },
          ],
        },
        { name: 'disabled', label: 'admin.disabled', kind: 'checkbox' },
      ],
    } satisfies ResourceSpec<User>,
    policies: {
      path: '/escalation-policies',
      canWrite: isAdmin || session.user.value?.role === 'supervisor',
      columns: [
        { label: 'admin.name', render: (p: Policy) => p.name },
        {
          label: 'admin.alertType',
          render: (p: Policy) =>
            p.alertType === '*' ? t('admin.anyType') : tOr(`type.${p.alertType}`, p.alertType),
        },
        { label: 'admin.site', render: (p: Policy) => (p.siteId ? siteName(p.siteId) : t('admin.hubWide')) },
        { label: 'admin.steps', render: (p: Policy) => p.steps.length },
      ],
      fields: [
        { name: 'name', label: 'admin.name', kind: 'text', required: true },
        { name: 'alertType', label: 'admin.alertType', kind: 'text', createOnly: true },
        {
          name: 'siteId',
          label: 'admin.site',
          kind: 'select',
          createOnly: true,
          options: [{ value: '', label: t('admin.hubWide') }, ...siteOptions],
        },
        { name: 'steps', label: 'admin.stepsJson', kind: 'json' },
      ],
    } satisfies ResourceSpec<Policy>,
  }

  let body = null
  if (tab === 'rosters') body = <Roster sites={sites} />
  else if (tab === 'topology') body = <Topology sites={sites.filter((s) => s.kind === 'institution')} />
  else if (tab === 'import') body = <Import sites={sites.filter((s) => s.kind === 'institution')} />
  else if (tab in specs) {
    const spec = specs[tab as keyof typeof specs] as unknown as ResourceSpec<{ id: string }>
    body = <Resource key={tab} spec={spec} />
  }
  return (
    <div data-testid="admin">
      <nav class="tabs" aria-label={t('nav.admin')}>
        {tabs.map((k) => (
          <a
            key={k}
            class="tab"
            href={`/admin/${k}`}
            onClick={(e) => linkTo(e, `/admin/${k}`)}
            aria-current={k === tab ? 'page' : undefined}
          >
            {t(`admin.tab.${k}`)}
          </a>
        ))}
      </nav>
      {secret && <SecretOnce device={secret} onClose={() => setSecret(null)} />}
      {body}
    </div>
  )
}

interface Policy {
  id: string
  name: string
  alertType: string
  siteId: string | null
  steps: unknown[]
}
