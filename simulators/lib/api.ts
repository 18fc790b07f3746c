import type { DeviceCredentials } from '../device.js'
import { mapLimit } from './util.js'

// The hub's HTTP API as the benchmark uses it: login, provisioning and resolving alerts, each request
// bounded in time.

const REQUEST_TIMEOUT_MS = 30_000

export class HubApi {
  private token?: string
  private readonly aborter = new AbortController()

  constructor(readonly base: string) {}

  get bearer(): string {
    if (!this.token) throw new Error('not logged in')
    return this.token
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(this.token && { authorization: `Bearer ${this.token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    })
    const text = await res.text()
    const json = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
    return { status: res.status, body: json as T }
  }

  /** Sends the request and insists on `status`. */
  async expect<T>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body)
    if (res.status !== status) {
      throw new Error(
        `${method} ${path} answered ${res.status}, expected ${status}: ${JSON.stringify(res.body)}`,
      )
    }
    return res.body
  }

  /** Fails every request in flight and every later one (their keep-alive sockets would hold up the hub's close). */
  abort() {
    this.aborter.abort(new Error('the benchmark is stopping'))
  }

  async login(username: string, password: string) {
    const { token } = await this.expect<{ token: string }>(200, 'POST', '/api/v1/auth/login', {
      username,
      password,
    })
    this.token = token
  }
}

export interface ProvisionOptions {
  devices: number
  /** residents (and their call buttons) per institution site */
  perSite: number
  concurrency: number
}

/** A few institution sites, one resident per device, one call button per resident; returns the credentials. */
export async function provisionCallButtons(api: HubApi, o: ProvisionOptions): Promise<DeviceCredentials[]> {
  const siteCount = Math.max(1, Math.ceil(o.devices / o.perSite))
  const sites = await mapLimit(
    Array.from({ length: siteCount }, (_, s) => s),
    o.concurrency,
    (s) =>
      api.expect<{ id: string }>(201, 'POST', '/api/v1/sites', {
        kind: 'institution',
        name: `Bench care home ${s + 1}`,
        address: `${s + 1} Benchmark Road`,
        timezone: 'Asia/Shanghai',
      }),
  )
  const indices = Array.from({ length: o.devices }, (_, i) => i)
  return mapLimit(indices, o.concurrency, async (i) => {
    const siteId = sites[i % siteCount]!.id
    const resident = await api.expect<{ id: string }>(201, 'POST', '/api/v1/residents', {
      siteId,
      name: `Bench resident ${i + 1}`,
      abilityLevel: i % 5,
    })
    const device = await api.expect<{ id: string; secret: string }>(201, 'POST', '/api/v1/devices', {
      type: 'call-button',
      siteId,
      residentId: resident.id,
      location: { building: 'A', floor: String(1 + (i % 6)), room: String(100 + (i % 50)) },
    })
    return { id: device.id, secret: device.secret }
  })
}

/** Resolves the given alerts with outcome "bench". */
export async function resolveAlerts(api: HubApi, alertIds: readonly string[], concurrency: number) {
  await mapLimit(alertIds, concurrency, (id) =>
    api.expect(200, 'POST', `/api/v1/alerts/${encodeURIComponent(id)}/resolve`, { outcome: 'bench' }),
  )
}
