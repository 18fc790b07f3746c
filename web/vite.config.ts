import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'

// The console's build. Vite 8 compiles TS/JSX with oxc: JSX goes to Preact's automatic runtime, so no
// Babel-based preset is needed. Output lands in web/dist, which the hub serves at `/` (src/http/console.ts).

/** Writes .gz and .br beside each script and stylesheet, so the hub serves them compressed at no CPU cost. */
function precompress(): Plugin {
  return {
    name: 'precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue
        const file = join(options.dir!, name)
        const raw = readFileSync(file)
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }))
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } }),
        )
      }
    },
  }
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 400,
    // the precompress step is slow on a busy machine by design; its timing note would only be noise in npm ci
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
})
