import t from 'tap'
import { SimDevice } from '../simulators/device.js'
import { startTestHub } from './fixtures/hub.js'
import { testMosquitto } from './fixtures/mosquitto.js'

// External-broker mode against a real Mosquitto 2: the hub consumes the device topics through shared
// subscriptions and sends commands back through the cluster; the rest of the hub works as with aedes.

t.test('an SOS through the cluster opens an alert; status and commands go through it too', async (t) => {
  const mosquitto = await testMosquitto(t)
  const h = await startTestHub(t, {
    MQTT_URL: mosquitto.url,
    HUB_INSTANCE_ID: 'hub-test',
    HUB_MQTT_SESSIONS: '2',
  })
  t.equal(h.hub.mqttPort, mosquitto.port, 'devices are told the cluster port')
  const { device } = await h.provision('smoke-detector', { kind: 'institution' })
  const feed = await h.live()
  const detector = await SimDevice.connect(mosquitto.url, device, { reconnectPeriod: 0 })
  t.teardown(() => detector.client.endAsync(true))
  await detector.announce()

  await detector.event('smoke', { state: 'alarm' })
  const opened = await feed.waitFor((m) => m.kind === 'alert.opened')
  t.equal(opened.data.deviceId, device.id)
  t.equal(opened.data.type, 'smoke')

  // status from the device's status topic
  const online = async (want: boolean) => {
    for (let i = 0; i < 100; i++) {
      const d = await h.api('GET', `/api/v1/devices/${device.id}`, undefined, h.token)
      if (d.body.online === want) return true
      await new Promise((r) => setTimeout(r, 100))
    }
    return false
  }
  t.ok(await online(true), 'online from its status topic')

  // a command goes out through the cluster to the device's commands topic
  const got = new Promise<Buffer>((resolve) => detector.client.once('message', (_t, p) => resolve(p)))
  await detector.client.subscribeAsync(detector.topic('commands'), { qos: 1 })
  const cmd = await h.api('POST', `/api/v1/devices/${device.id}/commands`, { cmd: 'silence' }, h.token)
  t.equal(cmd.status, 201)
  t.equal(JSON.parse((await got).toString()).cmd, 'silence')

  // the last will (the connection dropped without DISCONNECT) reaches the hub as `offline`
  detector.client.stream.destroy()
  t.ok(await online(false), 'offline from its last will')

  const health = await h.api('GET', '/healthz')
  t.equal(health.body.broker, true, 'healthy while connected to the cluster')
  const off = await h.api('POST', '/api/v1/broker/auth', { username: device.id, password: device.secret })
  t.equal(off.status, 404, 'without HUB_BROKER_AUTH_TOKEN the auth endpoints do not exist')
})
