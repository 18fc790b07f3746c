import { useEffect, useState } from 'preact/hooks'
import { commandTick } from '../alerts'
import { api, listAll } from '../api'
import { formatTime, t, tOr } from '../i18n'
import type { DeviceLocation } from '../types'

// The detector board: building → floor → zone → room, each detector's state, and the commands (silence,
// self-test) an officer sends from it, followed live from sent to delivered to done.

interface Detector {
  id: string
  type: string
  location: DeviceLocation | null
  state: 'alarm' | 'fault' | 'offline' | 'normal'
  online: boolean
  battery: number | null
  lastSeen: string | null
}

interface Command {
  id: string
  deviceId: string
  cmd: string
  state: string
  sentAt: string
  result: { ok: boolean; detail?: string } | null
}

type Tree = Map<string, Map<string, Map<string, Detector[]>>>

function group(detectors: Detector[]): Tree {
  const tree: Tree = new Map()
  const dash = '—'
  for (const d of detectors) {
    const b = d.location?.building ?? dash
    const f = d.location?.floor ?? dash
    const z = d.location?.zone ?? dash
    if (!tree.has(b)) tree.set(b, new Map())
    const floors = tree.get(b)!
    if (!floors.has(f)) floors.set(f, new Map())
    const zones = floors.get(f)!
    if (!zones.has(z)) zones.set(z, [])
    zones.get(z)!.push(d)
  }
  return tree
}

const stateIcon = { alarm: '🔥', fault: '⚠', offline: '⛓', normal: '✓' }

export function DetectorBoard({ siteId }: { siteId: string }) {
  const [detectors, setDetectors] = useState<Detector[] | null>(null)
  const [commands, setCommands] = useState<Record<string, Command>>({})
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    setDetectors(null)
    listAll<Detector>(`/sites/${siteId}/detectors`)
      .then(setDetectors)
      .catch((e: Error) => setError(e.message))
  }, [siteId])
  // a command's progress arrives on the live feed
  const tick = commandTick.value as Command | null
  useEffect(() => {
    if (tick && commands[tick.deviceId]?.id === tick.id) setCommands({ ...commands, [tick.deviceId]: tick })
  }, [tick])

  async function send(deviceId: string, cmd: string) {
    setError(null)
    try {
      const c = await api<Command>('POST', `/devices/${deviceId}/commands`, { cmd })
      setCommands((all) => ({ ...all, [deviceId]: c }))
    } catch (e) {
      setError((e as Error).message)
    }
  }

  if (!detectors) return <p class="muted">{error ?? t('common.loading')}</p>
  if (detectors.length === 0) return <p class="muted">{t('inst.noDetectors')}</p>
  const tree = group(detectors)
  return (
    <div class="board" data-testid="detector-board">
      {error && <p class="form-error">{error}</p>}
      {[...tree].map(([building, floors]) => (
        <section key={building} class="card wide">
          <h3>
            {t('inst.building')} {building}
          </h3>
          {[...floors].map(([floor, zones]) => (
            <div key={floor} class="floor">
              <h4>
                {t('inst.floor')} {floor}
              </h4>
              {[...zones].map(([zone, list]) => (
                <div key={zone} class="zone">
                  <span class="muted">
                    {t('inst.zone')} {zone}
                  </span>
                  <ul class="detectors">
                    {list.map((d) => {
                      const c = commands[d.id]
                      return (
                        <li
                          key={d.id}
                          class={`det det-${d.state}`}
                          data-device-id={d.id}
                          data-state={d.state}
                        >
                          <strong>
                            {stateIcon[d.state]} {t(`det.${d.state}`)}
                          </strong>{' '}
                          {d.location?.room ?? '—'} · {tOr(`device.${d.type}`, d.type)}
                          <span class="muted">
                            {' '}
                            {d.battery == null ? '' : `${d.battery}% · `}
                            {formatTime(d.lastSeen)}
                          </span>
                          <span class="buttons">
                            <button type="button" onClick={() => send(d.id, 'silence')}>
                              {t('inst.silence')}
                            </button>
                            <button type="button" onClick={() => send(d.id, 'self-test')}>
                              {t('inst.selfTest')}
                            </button>
                          </span>
                          {c && (
                            <span
                              class={`cmd cmd-${c.state}`}
                              data-testid="command-state"
                              data-state={c.state}
                            >
                              {tOr(`inst.cmd.${c.cmd}`, c.cmd)}: {t(`cmd.${c.state}` as 'cmd.sent')}
                              {c.result?.detail && ` (${c.result.detail})`}
                            </span>
                          )}
                        </li>
                      )
                    })}
                  </ul>
                </div>
              ))}
            </div>
          ))}
        </section>
      ))}
    </div>
  )
}
