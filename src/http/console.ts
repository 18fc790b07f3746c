import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

// The operator console (web/, built by Vite into web/dist) served at `/`. Hashed assets under /assets/ never
// change under their name, so they are cached for a year, and served pre-compressed (the build writes .br and
// .gz beside each). Every other non-API GET answers index.html, uncached, so a bookmarked or reloaded console
// URL (/alerts/…, /map) opens the console, which then routes itself.

export const consoleDir = fileURLToPath(new URL('../../web/dist/', import.meta.url))

const apiPaths = /^\/(api|docs|mqtt)(\/|$)/

export async function consoleRoutes(app: FastifyInstance) {
  const built = existsSync(`${consoleDir}index.html`)
  if (!built) app.log.warn(`the console is not built (${consoleDir}): run npm run build:web`)
  await app.register(fastifyStatic, {
    root: `${consoleDir}assets`,
    prefix: '/assets/',
    preCompressed: true,
    immutable: true,
    maxAge: '365d',
    // assets only: index.html is sent by the fallback below with its own headers
    index: false,
  })
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/'
    if (apiPaths.test(path))
      return reply.code(404).send({ error: 'HUB_ERR_NOT_FOUND', message: `no route ${req.method} ${path}` })
    if (!existsSync(`${consoleDir}index.html`))
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run npm run build:web (npm ci does it).')
    return reply
      .header('cache-control', 'no-cache')
      .sendFile('index.html', consoleDir, { cacheControl: false })
  })
}
