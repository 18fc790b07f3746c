import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import { MAX_PACKET_BYTES } from '../broker/packet-limit.js'
import type { BrokerPort } from '../broker/port.js'
import type { Db } from '../store/db.js'
import { callerFor } from './auth.js'
import { type LiveFeed, parseSince } from './live-feed.js'
import { bearer, type TokenService } from './tokens.js'

// WebSocket upgrades on the HTTP port: /mqtt (MQTT over WebSocket) and /api/v1/live (the live feed).

interface UpgradeDeps {
  db: Db
  tokens: TokenService
  /** keys the hashes of API keys */
  secretKey: string
  broker: Pick<BrokerPort, 'handleWebSocket'>
  live: LiveFeed
  log: Logger
}

function refuse(socket: Duplex, status: number, error: string, message: string) {
  const body = JSON.stringify({ error, message })
  socket.end(
    `HTTP/1.1 ${status} ${error}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  )
}

export function attachUpgrades(server: Server, d: UpgradeDeps) {
  const mqtt = new WebSocketServer({ noServer: true, maxPayload: MAX_PACKET_BYTES + 16 })
  const live = new WebSocketServer({ noServer: true, maxPayload: 4096 })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://x')
    if (pathname === '/mqtt') {
      return mqtt.handleUpgrade(req, socket, head, (ws) => d.broker.handleWebSocket(ws, req))
    }
    if (pathname !== '/api/v1/live')
      return refuse(socket, 404, 'HUB_ERR_NOT_FOUND', `no WebSocket at ${pathname}`)
    const since = parseSince(req)
    if (since === null) return refuse(socket, 400, 'HUB_ERR_VALIDATION', 'since must be a whole number')
    const credential = searchParams.get('token') ?? bearer(req.headers.authorization)
    callerFor(d.db, d.tokens, d.secretKey, credential).then(
      (found) => {
        if (!found) return refuse(socket, 401, 'HUB_ERR_UNAUTHORIZED', 'a valid token is required')
        const { user, claims, scope } = found
        const viewer = {
          userId: user.id,
          tokenId: claims?.jti,
          scope,
          expiresAt: claims ? new Date(claims.exp * 1000) : undefined,
        }
        live.handleUpgrade(req, socket, head, (ws) => void d.live.attach(ws, since, viewer))
      },
      (err) => {
        d.log.error({ err }, 'live-feed authentication failed')
        refuse(socket, 503, 'HUB_ERR_UNAVAILABLE', 'the database is not reachable')
      },
    )
  })

  return {
    close() {
      for (const wss of [mqtt, live]) {
        for (const ws of wss.clients) ws.terminate()
        wss.close()
      }
    },
  }
}
