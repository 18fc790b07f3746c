import type { IncomingMessage } from 'node:http'
import type { WebSocket } from 'ws'
import type { CommandMessage } from '../contract/command-json.js'
import type { Broker } from './broker.js'

// The one broker interface the rest of the hub sees: the embedded aedes (default) or a client of an external
// MQTT cluster (MQTT_URL, external.ts). Either way a device message reaches the ingest port and is acknowledged
// after commit. What only aedes does (the TLS listener, ending device sessions, site alert topics) hub.ts wires
// to the embedded broker alone.

export interface BrokerPort {
  /** Starts; resolves to the MQTT port devices connect to (the cluster's port in external mode). */
  start(): Promise<number>
  /** A command to a device at QoS 1 on its commands topic. */
  publishCommand(deviceId: string, message: CommandMessage): Promise<void>
  /** MQTT over WebSocket at the HTTP server's /mqtt. */
  handleWebSocket(ws: WebSocket, req: IncomingMessage): void
  /** true when no device message can arrive (the listener is down, or no cluster session is connected) */
  readonly closed: boolean
  /** Stops taking connections (embedded); clients already connected stay until close(). */
  stopAccepting(): void
  close(): Promise<void>
}

/** The embedded aedes broker behind the port. */
export function embeddedBroker(broker: Broker, port: number, host: string): BrokerPort {
  return {
    start: () => broker.start(port, host),
    publishCommand: (deviceId, message) => broker.publishCommand(deviceId, message),
    handleWebSocket: (ws, req) => broker.handleWebSocket(ws, req),
    get closed() {
      return broker.closed
    },
    stopAccepting: () => broker.stopAccepting(),
    close: () => broker.close(),
  }
}
