import 'leaflet/dist/leaflet.css'
import L from 'leaflet'
import { useEffect, useRef, useState } from 'preact/hooks'
import { alerts } from '../alerts'
import { listAll } from '../api'
import { loadConfig } from '../config'
import { t } from '../i18n'
import { linkTo } from '../router'
import type { Alert, Site } from '../types'

// 养老地图: every site with coordinates, coloured by its worst open alert (fire red, other alarms orange,
// technical amber, quiet green). Without configured tiles the map is a plain background: the markers still
// stand where the sites are, and nothing is fetched from outside. A table beside it lists the same sites.

interface SiteState {
  site: Site
  open: Alert[]
  fire: boolean
}

function colour(s: SiteState): string {
  if (s.fire) return '#b3261e'
  if (s.open.some((a) => a.priority === 2)) return '#c2410c'
  if (s.open.length > 0) return '#b45309'
  return '#15803d'
}

function summarise(sites: Site[], open: Alert[]): SiteState[] {
  return sites.map((site) => {
    const mine = open.filter((a) => a.siteId === site.id)
    return { site, open: mine, fire: mine.some((a) => a.priority === 1) }
  })
}

export function MapScreen() {
  const box = useRef<HTMLDivElement>(null)
  const map = useRef<L.Map | null>(null)
  const layer = useRef<L.LayerGroup | null>(null)
  const [sites, setSites] = useState<Site[] | null>(null)
  const [tiles, setTiles] = useState<string | null>(null)
  const states = summarise(sites ?? [], [...alerts.value.values()])

  useEffect(() => {
    void Promise.all([listAll<Site>('/sites'), loadConfig()]).then(([s, c]) => {
      setSites(s)
      setTiles(c.mapTiles)
    })
  }, [])

  useEffect(() => {
    if (!box.current || map.current) return
    // no animations: a zoom still running when the operator leaves the screen would touch a removed map
    map.current = L.map(box.current, {
      center: [35, 105],
      zoom: 4,
      attributionControl: false,
      zoomAnimation: false,
      fadeAnimation: false,
      markerZoomAnimation: false,
    })
    layer.current = L.layerGroup().addTo(map.current)
    return () => {
      map.current?.remove()
      map.current = null
    }
  }, [])

  useEffect(() => {
    if (tiles && map.current) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map.current)
  }, [tiles])

  useEffect(() => {
    const m = map.current
    const g = layer.current
    if (!m || !g || !sites) return
    g.clearLayers()
    const placed = states.filter((s) => s.site.lat != null && s.site.lon != null)
    for (const s of placed) {
      const marker = L.circleMarker([s.site.lat!, s.site.lon!], {
        radius: s.open.length ? 11 : 7,
        color: '#111',
        weight: 1,
        fillColor: colour(s),
        fillOpacity: 0.9,
        className: `site-marker${s.fire ? ' fire' : ''}`,
      })
      // on a plain background the names are the only landmarks: always shown
      marker.bindTooltip(
        `${s.fire ? '🔥 ' : ''}${s.site.name} · ${t('map.openAlerts', { n: s.open.length })}`,
        {
          permanent: !tiles,
          direction: 'right',
          offset: [10, 0],
        },
      )
      marker.addTo(g)
    }
    if (placed.length > 0)
      m.fitBounds(L.latLngBounds(placed.map((s) => [s.site.lat!, s.site.lon!])), {
        padding: [40, 40],
        maxZoom: 14,
      })
  }, [sites, alerts.value, tiles])

  return (
    <div class="map-screen">
      <div class="map-wrap">
        <div
          ref={box}
          class={`map${tiles ? '' : ' plain'}`}
          data-testid="map"
          data-tiles={tiles ? 'on' : 'off'}
        />
        {!tiles && <p class="muted">{t('map.noTiles')}</p>}
      </div>
      <section class="card" aria-label={t('map.sites')}>
        <h3>{t('map.sites')}</h3>
        {sites === null ? (
          <p class="muted">{t('common.loading')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>{t('map.site')}</th>
                <th>{t('map.open')}</th>
                <th>{t('map.fire')}</th>
              </tr>
            </thead>
            <tbody>
              {states.map((s) => (
                <tr key={s.site.id} data-site-id={s.site.id}>
                  <td>
                    <span class="dot" style={{ background: colour(s) }} /> {s.site.name}
                    {s.site.lat == null && <span class="muted"> ({t('map.noCoordinates')})</span>}
                  </td>
                  <td>
                    {s.open.length > 0 ? (
                      <a
                        href={`/alerts/${s.open[0]!.id}`}
                        onClick={(e) => linkTo(e, `/alerts/${s.open[0]!.id}`)}
                      >
                        {s.open.length}
                      </a>
                    ) : (
                      0
                    )}
                  </td>
                  <td class={s.fire ? 'bad' : ''}>{s.fire ? `🔥 ${t('map.onFire')}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  )
}
