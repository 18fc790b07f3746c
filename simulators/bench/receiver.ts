import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A local HTTP endpoint (a family's app, a monitoring centre) that answers 200 and reports each JSON body. */
export function jsonReceiver(onBody: (body: unknown) => void) {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      onBody(JSON.parse(body))
      res.writeHead(200).end()
    })
  })
  return new Promise<{ url: string; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        close: () => server.close(),
      }),
    ),
  )
}
