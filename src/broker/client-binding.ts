// Client ids are free (CONTRACT.md) but bound to whoever holds them: while one device's (or account's) session
// holds a client id, a CONNECT with that id by anyone else is refused, so no device can knock another offline
// or take over its persistent session (queued commands, subscriptions). The owner's own reconnect takes the
// session over as MQTT says. A clean session's id is free again when it disconnects; a persistent session's
// stays bound for as long as the broker keeps the session (its memory: a hub restart frees both).

export class ClientIdBindings {
  private readonly owners = new Map<string, string>()

  /** Claims `clientId` for `owner`; false if another owner holds it. */
  claim(clientId: string, owner: string): boolean {
    const held = this.owners.get(clientId)
    if (held !== undefined && held !== owner) return false
    this.owners.set(clientId, owner)
    return true
  }

  /** A clean session of `owner` ended: nothing holds the id any more. */
  release(clientId: string, owner: string) {
    if (this.owners.get(clientId) === owner) this.owners.delete(clientId)
  }

  /** The owner is gone (a deleted device or account): every id it held is free. */
  forget(owner: string) {
    for (const [id, held] of this.owners) if (held === owner) this.owners.delete(id)
  }

  get size() {
    return this.owners.size
  }
}
