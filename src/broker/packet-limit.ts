import type { Client } from 'aedes'

/** Packets above this close the connection (CONTRACT.md): one device cannot make the hub buffer without bound. */
export const MAX_PACKET_BYTES = 256 * 1024

interface Parser {
  packet: { length: number }
  _parseLength(): boolean
  _emitError(err: Error): void
}

/**
 * aedes has no packet-size limit for MQTT 3.1.1, so check the length field as soon as the parser reads it,
 * before the payload is buffered. Called from preConnect, when the client's parser exists.
 */
export function limitPacketSize(client: Client, max = MAX_PACKET_BYTES, onRefuse: () => void) {
  const parser = (client as unknown as { _parser: Parser })._parser
  const parseLength = parser._parseLength
  parser._parseLength = function limited(this: Parser) {
    const done = parseLength.call(this)
    if (done && this.packet.length > max) {
      onRefuse()
      this._emitError(new Error(`packet of ${this.packet.length} bytes exceeds ${max}`))
      return false
    }
    return done
  }
}
