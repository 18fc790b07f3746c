import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import type { Config } from './config.js'
import { StartupError } from './startup-error.js'

// The certificate and key the hub serves HTTPS, WSS and MQTT over TLS with (HUB_TLS_CERT, HUB_TLS_KEY: PEM
// files; the certificate file may carry the chain). Read once at start: a renewed certificate needs a restart.

export interface TlsFiles {
  cert: Buffer
  key: Buffer
}

export function loadTls(config: Config): TlsFiles | null {
  if (!config.HUB_TLS_CERT || !config.HUB_TLS_KEY) return null
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file)
    } catch (err) {
      throw new StartupError(`${name} ${file}: ${(err as Error).message}`)
    }
  }
  const files = {
    cert: read('HUB_TLS_CERT', config.HUB_TLS_CERT),
    key: read('HUB_TLS_KEY', config.HUB_TLS_KEY),
  }
  try {
    createSecureContext(files) // a bad PEM, or a key that is not the certificate's, fails here, in one sentence
  } catch (err) {
    throw new StartupError(`HUB_TLS_CERT / HUB_TLS_KEY: ${(err as Error).message}`)
  }
  return files
}
