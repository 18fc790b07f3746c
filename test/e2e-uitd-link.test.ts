// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { localLabel } from '../simulators/uitd.js'
import { commands } from '../src/contract/gbt26875/frame.js'
import { alertsOf, signal, signalsOf, uitdHub, ZONE } from './fixtures/uitd.js'

// Link supervision (巡检) of a GB/T 26875.3 UITD, end to end: the shortest link timeout (10 s) runs out.

t.test('link supervision: silence opens link-loss, the next frame restores', async (t) => {
  const { centre, hub, register, uitd } = await uitdHub(t)
  const reg = await register('d1d2d3d4d5d6', { linkTimeoutS: 10 })
  const u = await uitd('d1d2d3d4d5d6')
  await u.send(21, [{ state: 1, time: localLabel(ZONE) }])
  u.drop()
  const loss = await signal(centre, (b) => b.kind === 'link-loss', 40_000)
  t.match(loss, { device: { id: reg.deviceId } })
  const [alert] = await alertsOf(hub, reg.deviceId)
  t.match(alert, { type: 'link-loss' })
  const lost = (await hub.api('GET', `/api/v1/sites/${reg.siteId}/uitds`, undefined, hub.token)).body.items[0]
  t.equal(lost.linkState, 'lost')
  await u.restore()
  t.equal((await u.send(21, [{ state: 1, time: localLabel(ZONE) }])).command, commands.confirm)
  await signal(centre, (b) => b.kind === 'restoral')
  t.equal(signalsOf(centre).filter((s) => s.kind === 'link-loss').length, 1, 'one link-loss')
})
