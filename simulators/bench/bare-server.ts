import { createServer } from 'node:net'
import { Aedes } from 'aedes'

// The baseline broker for `npm run bench`: a bare aedes 1.2 (no authentication, no hooks, no database) in a
// process of its own, as the hub runs in its own. Prints {"port":…} once listening; stops on SIGTERM.

const aedes = await Aedes.createBroker()
const server = createServer(aedes.handle)
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as { port: number }).port }))
})
process.once('SIGTERM', () => {
  server.close()
  aedes.close(() => process.exit(0))
})
