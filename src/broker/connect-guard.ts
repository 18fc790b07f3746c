import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Aedes, AuthenticateError, Client } from 'aedes'
import { ClientIdBindings } from './client-binding.js'
import { limitPacketSize, type PacketRefusal } from './packet-limit.js'
import { KeyedBuckets, MessageBudget, type Rate } from './rate-limit.js'

// What stands between a socket and the broker's hooks: the packet cap from the first byte, throttling of
// addresses that keep failing to log in and of identities that reconnect in a loop, client-id binding, each
// connection's message budget, and ending an identity's connections when its credentials end.

export interface GuardLimits {
  /** a connection's messages a second (and burst); above it PUBACKs wait, far above it the connection closes */
  messageRate: Rate
  /** CONNECT attempts a second (and burst) per device or account */
  connectRate: Rate
  /** failed logins a second (and burst) per source address; past them the address is refused a while */
  authFailureRate: Rate
}

export type GuardRefusal =
  | PacketRefusal
  | 'address-throttled'
  | 'connect-rate'
  | 'client-id-taken'
  | 'message-rate'

export interface GuardedClient extends Client {
  /** the peer's address (for the WebSocket transport, the HTTP socket's) */
  address?: string
  /** `device:<id>` or `account:<id>` once authenticated */
  owner?: string
  budget?: MessageBudget
}

function refusal(returnCode: 2 | 3 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

export class ConnectGuard {
  private readonly bindings = new ClientIdBindings()
  private readonly connects: KeyedBuckets
  private readonly failures: KeyedBuckets
  /** open connections by owner, to end them when credentials end */
  private readonly open = new Map<string, Set<GuardedClient>>()

  constructor(
    private readonly limits: GuardLimits,
    private readonly onRefuse: (reason: GuardRefusal) => void,
  ) {
    this.connects = new KeyedBuckets(limits.connectRate)
    this.failures = new KeyedBuckets(limits.authFailureRate)
  }

  /** Hands a transport stream to aedes with the packet cap in place before a byte is parsed. */
  accept(aedes: Aedes, stream: Duplex, address: string | undefined, req?: IncomingMessage) {
    const client = aedes.handle(stream, req as IncomingMessage) as GuardedClient
    client.address = address
    limitPacketSize(client, this.onRefuse)
  }

  /** Before the credentials are looked up: a refusal for a throttled address or identity, else null. */
  beforeAuth(client: GuardedClient, owner: string): AuthenticateError | null {
    if (client.address && this.failures.exhausted(client.address)) {
      this.onRefuse('address-throttled')
      return refusal(5, 'not authorized')
    }
    if (!this.connects.take(owner)) {
      this.onRefuse('connect-rate')
      return refusal(3, 'server unavailable')
    }
    return null
  }

  /** A login failed: it counts against the address. */
  authFailed(client: GuardedClient) {
    if (client.address) this.failures.take(client.address)
  }

  /**
   * Credentials are good: binds the client id to the owner, or refuses one another owner holds. `until`: the
   * credential used ends then (a rotated secret in its grace period), and so does the connection.
   */
  authenticated(client: GuardedClient, owner: string, until?: Date | null): AuthenticateError | null {
    if (!this.bindings.claim(client.id, owner)) {
      this.onRefuse('client-id-taken')
      return refusal(2, 'identifier rejected')
    }
    client.owner = owner
    client.budget = new MessageBudget(this.limits.messageRate, this.limits.messageRate.burst)
    const set = this.open.get(owner) ?? new Set()
    this.open.set(owner, set)
    set.add(client)
    if (until) this.endAt([client], until)
    return null
  }

  /** null: publish now; a promise: once it resolves; 'over': close the connection (it floods). */
  admitMessage(client: GuardedClient): null | Promise<void> | 'over' {
    if (client.closed) return null // its last will, published as it goes
    const verdict = client.budget?.admit() ?? null
    if (verdict === 'over') this.onRefuse('message-rate')
    return verdict
  }

  disconnected(client: GuardedClient) {
    const owner = client.owner
    if (!owner) return
    client.budget?.close()
    const set = this.open.get(owner)
    set?.delete(client)
    if (set?.size === 0) this.open.delete(owner)
    // a takeover by the owner's own reconnect closes the old client after the new one claimed the id
    const stillHeld = [...(set ?? [])].some((c) => c.id === client.id)
    if (client.clean && !stillHeld) this.bindings.release(client.id, owner)
  }

  /**
   * Ends the owner's open connections, at once or at `at` (a rotated secret's grace end). `gone`: the owner
   * no longer exists (deleted), so the client ids it held are free.
   */
  endSessions(owner: string, at: Date | null = null, gone = false) {
    if (gone) this.bindings.forget(owner)
    this.endAt([...(this.open.get(owner) ?? [])], at)
  }

  private endAt(clients: GuardedClient[], at: Date | null) {
    const end = () => {
      for (const c of clients) if (!c.closed) c.close()
    }
    const delay = at ? at.getTime() - Date.now() : 0
    if (delay <= 0) return end()
    setTimeout(end, delay).unref()
  }
}
