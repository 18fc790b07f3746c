import t from 'tap'
import { SimUitd } from '../simulators/uitd.js'
import { commands } from '../src/contract/gbt26875/frame.js'
import { startTlsHub } from './fixtures/tls-hub.js'

// The GB/T 26875.3 receiver over TLS (UITDS_PORT with the hub's certificate): frames are read and answered
// through it, and a UITD that does not trust the certificate gets no link. The answer checked is a denial (no
// UITD is registered here), which the receiver sends only after reading and decoding the frame.

t.test('UITDS_PORT: the receiver over TLS', async (t) => {
  const { hub, ca } = await startTlsHub(t, { UITDS_PORT: '0' })
  t.equal(hub.uitdPort, null, 'no plain listener without UITD_PORT')
  t.ok(hub.uitdTlsPort, 'a TLS listener')

  const u = await SimUitd.connect('127.0.0.1', hub.uitdTlsPort!, { address: 'e1e2e3e4e5e6', tls: { ca } })
  t.teardown(() => u.close())
  const answer = await u.fire(1)
  t.match(answer, { command: commands.deny, destination: 'e1e2e3e4e5e6' })

  await t.rejects(
    SimUitd.connect('127.0.0.1', hub.uitdTlsPort!, { address: 'e1e2e3e4e5e7', tls: { ca: Buffer.from('') } }),
    'a UITD that does not trust the certificate gets no link',
  )
})
