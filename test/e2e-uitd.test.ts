// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import t from 'tap'
import { localLabel } from '../simulators/uitd.js'
import { commands, encodeFrame } from '../src/contract/gbt26875/frame.js'
import { decodeUnit, encodeUnit } from '../src/contract/gbt26875/units.js'
import { until } from './fixtures/escalation.js'
import { alertsOf, signal, signalsOf, sleep, uitdHub, ZONE } from './fixtures/uitd.js'

// The GB/T 26875.3 receiver end to end: a real hub with UITD_PORT, simulated UITDs over TCP, and a fake
// monitoring centre. Confirms only after commit, retransmissions, denials, bad frames, the flood.

t.test('GB/T 26875.3 receiver', async (t) => {
  const { centre, hub, site, register, uitd } = await uitdHub(t)

  await t.test('registration follows the contract', async (t) => {
    const u = await register('0102030405a6', { name: 'Panel room', linkTimeoutS: 900 })
    t.match(u, {
      siteId: site.id,
      address: '0102030405a6',
      name: 'Panel room',
      linkTimeoutS: 900,
      linkState: 'unknown',
      lastFrameAt: null,
    })
    t.match(u.id, /^uitd_/)
    const dup = await hub.api(
      'POST',
      `/api/v1/sites/${site.id}/uitds`,
      { address: '0102030405a6' },
      hub.token,
    )
    t.equal(dup.status, 409, 'one registration per address')
    const bad = await hub.api(
      'POST',
      `/api/v1/sites/${site.id}/uitds`,
      { address: '0102', linkTimeoutS: 5 },
      hub.token,
    )
    t.equal(bad.status, 400)
    const list = (await hub.api('GET', `/api/v1/sites/${site.id}/uitds`, undefined, hub.token)).body
    t.equal(list.items[0].linkTimeoutS, 900)
    t.equal((await register('0102030405a7')).linkTimeoutS, 600, 'default link timeout')
  })

  await t.test('an unregistered UITD is denied and opens nothing', async (t) => {
    const stranger = await uitd('ffffffffff01')
    const answer = await stranger.fire(7)
    t.equal(answer.command, commands.deny)
    t.equal(answer.destination, 'ffffffffff01', 'addresses swapped')
  })

  const reg = await register('a1a2a3a4a5a6')
  const csv =
    'systemAddress,componentAddress,building,floor,zone,room\n1,1003,A,3,Z3,301\n1,oops,A,3,Z3,302\n'
  const imported = await fetch(`${hub.base}/api/v1/sites/${site.id}/uitds/${reg.id}/components`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${hub.token}` },
    body: csv,
  }).then((r) => r.json() as Promise<any>)
  t.equal(imported.accepted, 1, 'the good row is imported')
  t.equal(imported.rejected[0].row, 2, 'the bad row is reported')
  const panel = await uitd('a1a2a3a4a5a6')

  await t.test('every unit type is confirmed, serial echoed and addresses swapped', async (t) => {
    const answers = await panel.everyUnit()
    t.equal(answers.length, 13)
    for (const a of answers)
      t.match(a, { command: commands.confirm, source: '000000000000', destination: 'a1a2a3a4a5a6' })
    t.same(
      answers.map((a) => a.serial),
      answers.map((_, i) => i + 1),
    )
    t.same(await alertsOf(hub, reg.deviceId), [], 'ordinary reports open nothing')
  })

  await t.test(
    'a panel fire alarm reaches the centre as fire, with the mapped place and the local time',
    async (t) => {
      const clock = { year: 2026, month: 12, day: 2, hour: 9, minute: 30, second: 0 }
      const answer = await panel.send(2, [
        {
          systemType: 1,
          systemAddress: 1,
          componentType: 40,
          componentAddress: 1003,
          state: 0b11,
          description: '三楼烟感',
          time: clock,
        },
      ])
      t.equal(answer.command, commands.confirm, 'confirmed (after commit)')
      const fire = await signal(centre, (b) => b.kind === 'fire')
      t.match(fire, {
        site: { id: site.id },
        device: { id: reg.deviceId, type: 'uitd' },
        location: { building: 'A', floor: '3', zone: 'Z3', room: '301' },
      })
      t.equal(fire.deviceTime, '2026-12-02T01:30:00.000Z', 'the time label read in Asia/Shanghai')
      const [alert] = await alertsOf(hub, reg.deviceId)
      t.match(alert, { type: 'fire', priority: 1, count: 1 })

      // the same frame again (same serial number): confirmed again, nothing new
      const repeat = panel.frame(
        encodeUnit({
          type: 2,
          objects: [
            {
              systemType: 1,
              systemAddress: 1,
              componentType: 40,
              componentAddress: 1003,
              state: 0b11,
              description: '三楼烟感',
              time: clock,
            },
          ],
        }),
        { serial: answer.serial },
      )
      const again = await panel.sendFrame(repeat)
      t.match(again, { command: commands.confirm, serial: answer.serial })
      // a later frame is confirmed only after commit: once it is, the repeat's commit is long done
      await panel.send(21, [{ state: 1, time: localLabel(ZONE) }])
      const after = await alertsOf(hub, reg.deviceId)
      t.equal(after.length, 1)
      t.equal(after[0].count, 1, "the alert's count stays 1")
      t.equal(signalsOf(centre).filter((s) => s.kind === 'fire').length, 1, 'one fire signal')
    },
  )

  await t.test('a bad checksum is not confirmed, and is counted and kept on the UITD', async (t) => {
    const f = panel.frame(encodeUnit({ type: 21, objects: [{ state: 1, time: localLabel(ZONE) }] }))
    const bytes = encodeFrame(f)
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff
    panel.sendRaw(bytes)
    await panel.send(21, [{ state: 1, time: localLabel(ZONE) }])
    t.notOk(
      panel.received.some((r) => r.serial === f.serial),
      'no answer to the bad frame',
    )
    const rejected = await until(
      hub,
      `/api/v1/devices/${reg.deviceId}/rejected`,
      (b: any) => b.items.length > 0,
    )
    t.match(rejected.items[0], { reason: 'checksum' })
  })

  await t.test('a clock request is answered with the time', async (t) => {
    const answer = await panel.send(90, [{ time: localLabel(ZONE) }], { command: commands.request })
    t.equal(answer.command, commands.response)
    const unit = decodeUnit(answer.data)
    t.equal(unit.name, 'sync-clock')
    t.equal((unit.objects[0]!.time as any).year, localLabel(ZONE).year)
  })

  await t.test("a malformed-frame flood from one UITD does not keep another's fire alarm out", async (t) => {
    await register('b1b2b3b4b5b6')
    const regC = await register('c1c2c3c4c5c6')
    const flooder = await uitd('b1b2b3b4b5b6')
    await flooder.send(21, [{ state: 1, time: localLabel(ZONE) }])
    const other = await uitd('c1c2c3c4c5c6')
    const junk = Buffer.from(
      encodeFrame(flooder.frame(encodeUnit({ type: 21, objects: [{ state: 1, time: localLabel(ZONE) }] }))),
    )
    junk[junk.length - 3] = junk[junk.length - 3]! ^ 0x55
    // bounded: at most 2 000 writes of bad frames and garbage, while the other UITD's alarm goes through
    const flood = (async () => {
      for (let i = 0; i < 2_000 && flooder.connected; i++) {
        flooder.sendRaw(i % 2 ? junk : Buffer.alloc(512, 0x41))
        if (i % 50 === 0) await sleep(0)
      }
    })()
    const answer = await other.fire(2001)
    t.equal(answer.command, commands.confirm)
    await signal(centre, (b) => b.kind === 'fire' && b.device.id === regC.deviceId)
    await flood
    for (let i = 0; i < 200 && flooder.connected; i++) await sleep(50)
    t.notOk(flooder.connected, 'the garbage link was closed')
  })
})
