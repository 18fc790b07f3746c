import type { IncomingMessage } from 'node:http'
import type { TlsOptions } from 'node:tls'
import type { WebSocket } from 'ws'
import type { CommandMessage } from '../contract/command-json.js'
import type { Broker } from './broker.js'

// The one broker interface the hub sees: the embedded aedes (default) or a client of an external MQTT cluster
// (MQTT_URL, external.ts). Either way a device message reaches Ingest.handle and is acknowledged after commit.

export interface BrokerPort {
  /** Starts; resolves to the MQTT port devices connect to (the cluster's port in external mode). */
  start(): Promise<number>
  /** A command to a device at QoS 1 on its commands topic. */
  publishCommand(deviceId: string, message: CommandMessage): Promise<void>
  /** MQTT over TLS on its own port (embedded); null where the cluster terminates TLS. */
  listenTls(port: number, host: string, options: TlsOptions): Promise<number | null>
  /** A hub message (a site's alert changes) at QoS 1 for the subscribers allowed to have it. */
  publishHub(topic: string, payload: Buffer): Promise<void>
  /** A device's credentials ended: its connections close (at `at`, else at once). */
  endDeviceSessions(deviceId: string, at: Date | null, deleted: boolean): void
  /** An MQTT account changed or went: its connections close. */
  endAccountSessions(accountId: string, deleted: boolean): void
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
    listenTls: (tlsPort, tlsHost, options) => broker.listenTls(tlsPort, tlsHost, options),
    publishHub: (topic, payload) => broker.publishHub(topic, payload),
    endDeviceSessions: (id, at, deleted) => broker.endDeviceSessions(id, at, deleted),
    endAccountSessions: (id, deleted) => broker.endAccountSessions(id, deleted),
    handleWebSocket: (ws, req) => broker.handleWebSocket(ws, req),
    get closed() {
      return broker.closed
    },
    stopAccepting: () => broker.stopAccepting(),
    close: () => broker.close(),
  }
}
