import { signal } from '@preact/signals'
import { api } from './api'

// What this hub tells the console about itself (GET /console/config): map tiles (none unless configured, so a
// hub on a closed network never makes the console reach out), its version, the default language.

export interface ConsoleConfig {
  mapTiles: string | null
  version: string
  defaultLanguage: 'zh-CN' | 'en'
}

export const config = signal<ConsoleConfig | null>(null)

export async function loadConfig() {
  config.value ??= await api<ConsoleConfig>('GET', '/console/config')
  return config.value
}
