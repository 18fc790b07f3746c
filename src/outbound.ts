import dns, { type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'

// Server-side request forgery (OWASP API7): webhook, contact and monitoring-centre URLs are typed in by
// people, and the hub reports what answered. So the hub never sends to loopback, private, link-local or other
// special addresses unless HUB_OUTBOUND_ALLOW names them: a URL naming one is refused when it is registered
// (400), and every connection is checked again on the address it resolves to (a name may point anywhere).

const special = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  special.addSubnet(net, bits, 'ipv4')
}
for (const [net, bits] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  special.addSubnet(net, bits, 'ipv6')
}

let allowedNets = new BlockList()
let allowedNames = new Set<string>()

/** HUB_OUTBOUND_ALLOW: comma-separated host names and CIDR ranges (or single addresses) that may be reached. */
export function setOutboundAllow(list: string | undefined) {
  allowedNets = new BlockList()
  allowedNames = new Set()
  for (const item of (list ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    const [net, bits] = item.split('/') as [string, string | undefined]
    const family = isIP(net)
    if (family === 0) allowedNames.add(item)
    else if (bits === undefined) allowedNets.addAddress(net, family === 4 ? 'ipv4' : 'ipv6')
    else allowedNets.addSubnet(net, Number(bits), family === 4 ? 'ipv4' : 'ipv6')
  }
}

/** Whether an address may be reached: public, or allowed by name or range. */
export function addressAllowed(address: string, host?: string): boolean {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1]
  const ip = mapped ?? address
  const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6'
  if (!special.check(ip, family)) return true
  return allowedNets.check(ip, family) || (host !== undefined && allowedNames.has(host.toLowerCase()))
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '').toLowerCase()

/**
 * Why a URL may not be registered, or null: an address literal in a special range, or a name that always
 * means this machine (`localhost`), unless allowed. Other names are checked when they are resolved.
 */
export function outboundRefusal(url: string): string | null {
  if (!URL.canParse(url)) return null
  const host = bare(new URL(url).hostname)
  if (allowedNames.has(host)) return null
  if (isIP(host)) return addressAllowed(host) ? null : `${host} is a loopback, private or link-local address`
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is this machine`
  return null
}

export class OutboundRefused extends Error {
  readonly code = 'HUB_OUTBOUND_REFUSED'
}

/** A `lookup` for sockets: resolves as usual, then refuses a special address the allow list does not name. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0)
    const ok = addresses.filter((a) => addressAllowed(a.address, hostname))
    if (ok.length === 0) {
      return callback(new OutboundRefused(`${hostname} resolves to a private address`), '', 0)
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok)
    callback(null, ok[0]!.address, ok[0]!.family)
  })
}

/** Checks a host before connecting (for clients that take no `lookup`, such as MQTT.js); throws if refused. */
export async function checkOutboundHost(hostname: string): Promise<void> {
  const host = bare(hostname)
  if (isIP(host)) {
    if (!addressAllowed(host))
      throw new OutboundRefused(`${host} is a loopback, private or link-local address`)
    return
  }
  const addresses = await dns.promises.lookup(host, { all: true })
  if (!addresses.some((a) => addressAllowed(a.address, host))) {
    throw new OutboundRefused(`${host} resolves to a private address`)
  }
}
