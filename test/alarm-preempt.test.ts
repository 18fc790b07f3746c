import t from 'tap'
import { deviceTopic } from '../src/contract/topics.js'
import { dbClient } from './fixtures/db.js'
import { startTestHub } from './fixtures/hub.js'
import { connectClient, metricValue, pollUntil, within } from './fixtures/mqtt.js'

// Alarms pre-empt telemetry (README, "What the hub does with device messages"): while an alarm is being
// committed, no reading is admitted: QoS 0 readings are shed and counted, QoS 1 readings wait for their PUBACK
// until the alarm is in. A small HUB_TELEMETRY_BUDGET makes the budget bite in a short, bounded flood.

interface Device {
  id: string
  secret: string
}

const reading = (battery: number) => JSON.stringify({ ts: Date.now(), battery, rssi: -60 })

t.test('alarms pre-empt telemetry', async (t) => {
  const h = await startTestHub(t, { HUB_TELEMETRY_BUDGET: '2' })
  const db = await dbClient(t, h.hub.databaseUrl)
  const metrics = async () => (await fetch(`${h.base}/metrics`)).text()
  const metric = async (name: string, labels: Record<string, string> = {}) =>
    metricValue(await metrics(), name, labels)

  async function device() {
    const { device } = (await h.provision('call-button')) as { device: Device }
    const c = await connectClient(t, h.mqttUrl, {
      username: device.id,
      password: device.secret,
      clientId: `t-${device.id}`,
    })
    const publish = (channel: 'events' | 'telemetry', payload: string, qos: 0 | 1) =>
      c.client.publishAsync(deviceTopic(device.id, channel), payload, { qos })
    return { id: device.id, publish }
  }
  const sos = (id: string) => JSON.stringify({ id, ts: new Date().toISOString(), type: 'sos' })
  const openAlerts = async (deviceId: string) =>
    (await db.query('SELECT id FROM alerts WHERE device_id = $1', [deviceId])).rowCount

  await t.test('while an alarm commits, QoS 0 readings are shed and QoS 1 PUBACKs wait for it', async (t) => {
    const button = await device()
    const sensor = await device()
    // hold the alarm in its commit: the events table is locked until this transaction ends
    const lock = await dbClient(t, h.hub.databaseUrl)
    await lock.query('BEGIN')
    await lock.query('LOCK TABLE events IN EXCLUSIVE MODE')
    const order: string[] = []
    const decoded = await metric('hub_ingest_stage_seconds_count', { pipeline: 'events', stage: 'decode' })
    const alarm = button.publish('events', sos('e-held'), 1).then(() => order.push('sos'))
    // the SOS has reached its writer (decoded, submitted) and waits on the lock
    await pollUntil(
      () => metric('hub_ingest_stage_seconds_count', { pipeline: 'events', stage: 'decode' }),
      (n) => n > decoded,
    )
    const shedBefore = await metric('hub_ingest_shed_total', { reason: 'alarm-busy' })
    await sensor.publish('telemetry', reading(50), 0)
    const shed = await pollUntil(
      () => metric('hub_ingest_shed_total', { reason: 'alarm-busy' }),
      (n) => n > shedBefore,
    )
    t.equal(shed, shedBefore + 1, 'the QoS 0 reading is shed and counted')

    const heldBefore = await metric('hub_ingest_telemetry_held_total', { reason: 'alarm-busy' })
    const held = sensor.publish('telemetry', reading(60), 1).then(() => order.push('reading'))
    await pollUntil(
      () => metric('hub_ingest_telemetry_held_total', { reason: 'alarm-busy' }),
      (n) => n > heldBefore,
    )
    t.same(order, [], 'neither PUBACK has come while the alarm cannot commit')
    await lock.query('COMMIT')
    await within(Promise.all([alarm, held]), 10_000, 'both PUBACKs after the alarm commits')
    t.same(order, ['sos', 'reading'], 'the SOS is acknowledged before the held reading')
    t.equal(await openAlerts(button.id), 1, 'the SOS opened its alert')
    const stored = await db.query('SELECT battery FROM readings WHERE device_id = $1', [sensor.id])
    t.same(
      stored.rows.map((r) => r.battery),
      [60],
      'the held QoS 1 reading is stored, the shed one is not',
    )
  })

  await t.test('an SOS sent behind its own held reading does not wait for it', async (t) => {
    const other = await device()
    const button = await device()
    const lock = await dbClient(t, h.hub.databaseUrl)
    await lock.query('BEGIN')
    await lock.query('LOCK TABLE events IN EXCLUSIVE MODE')
    const decoded = await metric('hub_ingest_stage_seconds_count', { pipeline: 'events', stage: 'decode' })
    const first = other.publish('events', sos('e-busy'), 1)
    await pollUntil(
      () => metric('hub_ingest_stage_seconds_count', { pipeline: 'events', stage: 'decode' }),
      (n) => n > decoded,
    )
    const heldBefore = await metric('hub_ingest_telemetry_held_total', { reason: 'alarm-busy' })
    let readingAcked = false
    const held = button.publish('telemetry', reading(40), 1).then(() => {
      readingAcked = true
    })
    await pollUntil(
      () => metric('hub_ingest_telemetry_held_total', { reason: 'alarm-busy' }),
      (n) => n > heldBefore,
    )
    // the button's SOS follows on the same connection, behind its held reading
    const alarm = button.publish('events', sos('e-behind'), 1)
    const decodedBehind = await pollUntil(
      () => metric('hub_ingest_stage_seconds_count', { pipeline: 'events', stage: 'decode' }),
      (n) => n > decoded + 1,
    )
    t.equal(decodedBehind, decoded + 2, "the button's SOS reached the alarm path while the lock was held")
    t.notOk(readingAcked, 'while its reading is still held')
    await lock.query('COMMIT')
    await within(Promise.all([first, alarm, held]), 10_000, 'both SOS PUBACKs and the reading')
    t.equal(await openAlerts(button.id), 1, "the button's SOS opened its alert")
  })

  await t.test('under a bounded telemetry flood an SOS is acknowledged and alerted', async (t) => {
    const button = await device()
    const sensors = await Promise.all(Array.from({ length: 5 }, () => device()))
    const shedBefore =
      (await metric('hub_ingest_shed_total', { reason: 'alarm-busy' })) +
      (await metric('hub_ingest_shed_total', { reason: 'budget' }))
    const QOS0 = 200
    const QOS1 = 100
    const flood = sensors.flatMap((s) => [
      ...Array.from({ length: QOS0 / sensors.length }, () => s.publish('telemetry', reading(70), 0)),
      ...Array.from({ length: QOS1 / sensors.length }, () => s.publish('telemetry', reading(80), 1)),
    ])
    const alarm = button.publish('events', sos('e-flood'), 1)
    await within(Promise.all([alarm, ...flood]), 60_000, 'the SOS and every QoS 1 PUBACK')
    t.equal(await openAlerts(button.id), 1, 'the SOS opened its alert')
    const ids = sensors.map((s) => s.id)
    const count = async (battery: number) =>
      Number(
        (
          await db.query('SELECT count(*) AS n FROM readings WHERE device_id = ANY($1) AND battery = $2', [
            ids,
            battery,
          ])
        ).rows[0].n,
      )
    t.equal(await count(80), QOS1, 'every acknowledged QoS 1 reading is stored')
    // QoS 0 readings are written after the publish resolves: wait until stored + shed accounts for all
    const shedAfter = async () =>
      (await metric('hub_ingest_shed_total', { reason: 'alarm-busy' })) +
      (await metric('hub_ingest_shed_total', { reason: 'budget' }))
    const accounted = await pollUntil(
      async () => (await count(70)) + (await shedAfter()) - shedBefore,
      (n) => n >= QOS0,
    )
    t.equal(accounted, QOS0, 'each QoS 0 reading is either stored or counted as shed')
    t.ok((await shedAfter()) > shedBefore, 'with a budget of 2, some QoS 0 readings were shed')
  })
})
