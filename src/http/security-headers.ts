import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

// Security headers on every answer (@fastify/helmet), and CORS only for the origins configured.
// The content security policy fits what the hub serves: the console (scripts and styles from the hub; Preact,
// Leaflet and uPlot set inline styles; map tiles from HUB_MAP_TILES), the family acknowledgement page (an
// inline <style>) and the OpenAPI UI at /docs.

export interface SecurityOptions {
  /** the hub is served over HTTPS: HSTS, and browsers upgrade any plain request */
  tls: boolean
  /** HUB_MAP_TILES, whose host the console loads images from */
  mapTiles: string | null
  /** HUB_CORS_ORIGINS: origins allowed to call the API from a browser; empty: no CORS headers at all */
  corsOrigins: string[]
}

/** The CSP source for a tile template's host: `https://{s}.tile.example/…` → `https://*.tile.example`. */
export function tileSource(template: string): string {
  const m = template.match(/^(https?):\/\/([^/]+)/)
  if (!m) return "'none'"
  const [, scheme, host] = m as unknown as [string, string, string]
  if (!host.includes('{')) return `${scheme}://${host}`
  // a placeholder in the leftmost label is a wildcard CSP can say; elsewhere only the scheme is left
  const wild = host.replace(/^\{\w+\}\./, '*.')
  return wild.includes('{') ? `${scheme}:` : `${scheme}://${wild}`
}

export async function registerSecurity(app: FastifyInstance, o: SecurityOptions) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...(o.mapTiles ? [tileSource(o.mapTiles)] : [])],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // on plain HTTP this would send the browser to an HTTPS port that does not exist
        ...(o.tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS over plain HTTP means nothing to browsers; over HTTPS it keeps them there for a year
    strictTransportSecurity: o.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  })
  if (o.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: o.corsOrigins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type'],
      maxAge: 600,
    })
  }
}
