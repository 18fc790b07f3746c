import type { Client } from 'aedes'

/** Packets above this close the connection (CONTRACT.md): one device cannot make the hub buffer without bound. */
export const MAX_PACKET_BYTES = 256 * 1024

/**
 * Before authentication only a CONNECT may come, and a real one is small (client id, credentials, a last will):
 * an unauthenticated socket may make the hub buffer this much at most.
 */
export const MAX_CONNECT_BYTES = 16 * 1024

export type PacketRefusal = 'packet-too-large' | 'connect-too-large' | 'not-connect-first'

interface Parser {
  packet: { length: number; cmd?: string }
  _parseLength(): boolean
  _emitError(err: Error): void
}

/**
 * aedes has no packet-size limit for MQTT 3.1.1 and buffers a whole packet before parsing it, so check the
 * fixed header as soon as the parser has read it, before the payload is buffered. Installed right after
 * aedes.handle() creates the client, before any byte is parsed: the cap holds from the first byte.
 */
export function limitPacketSize(
  client: Client,
  onRefuse: (reason: PacketRefusal) => void,
  max = MAX_PACKET_BYTES,
  maxConnect = MAX_CONNECT_BYTES,
) {
  const parser = (client as unknown as { _parser: Parser })._parser
  const parseLength = parser._parseLength
  let first = true
  parser._parseLength = function limited(this: Parser) {
    const done = parseLength.call(this)
    if (!done) return false
    const refusal = refusalFor(this.packet, first, max, maxConnect)
    first = false
    if (refusal) {
      onRefuse(refusal)
      this._emitError(new Error(`${refusal}: ${this.packet.cmd} of ${this.packet.length} bytes`))
      return false
    }
    return true
  }
}

function refusalFor(
  packet: { length: number; cmd?: string },
  first: boolean,
  max: number,
  maxConnect: number,
): PacketRefusal | null {
  if (first && packet.cmd !== 'connect') return 'not-connect-first' // [MQTT-3.1.0-1]
  if (first && packet.length > maxConnect) return 'connect-too-large'
  return packet.length > max ? 'packet-too-large' : null
}
