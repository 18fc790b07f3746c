import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../../contract/api-schemas.js'
import { type Language, languages } from '../../store/users.js'

// What the console needs to know about this hub before it draws anything: the map tiles it may load (none by
// default: a hub on a closed network must not make the console reach out), the hub's version, the language
// for users who have not chosen one.

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string
}
/** users' and contacts' language unless they choose another (migration 003's column default) */
const defaultLanguage: Language = 'zh-CN'

export const consoleConfigSchema = z.object({
  mapTiles: z.string().nullable().describe('tile URL template with {z}/{x}/{y}; null: no map tiles'),
  version: z.string(),
  defaultLanguage: z.enum(languages),
})

export async function consoleConfigRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const { mapTiles } = app.deps
  app.get(
    '/console/config',
    {
      schema: { tags: ['console'], response: { 200: consoleConfigSchema, 401: errorSchema } },
    },
    async () => ({ mapTiles, version, defaultLanguage }),
  )
}
