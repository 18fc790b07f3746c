import { pino } from 'pino'
import t from 'tap'
import { AlertRunner } from '../src/alerting/runner.js'
import { Bus } from '../src/bus.js'
import { createMetrics } from '../src/metrics.js'
import { RuleEngine } from '../src/rules/engine.js'
import type { Observation } from '../src/rules/rule.js'
import { createPool } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { migrate } from '../src/store/migrate.js'
import { OfflineWatch } from '../src/supervision/offline-watch.js'
import { snoozeAlert } from '../src/supervision/snooze.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { metricValue } from './fixtures/mqtt.js'
import { freshDatabaseUrl } from './fixtures/test-database.js'

// The rule engine against a real PostgreSQL, on an injected clock: inactivity opens and resolves around the
// day window, across midnight and a DST change (Europe/Berlin); a restart recovers activity state and what
// stands; a flapping device is one alert; a battery's hysteresis; snooze is recorded and holds escalation.

const log = pino({ level: 'silent' })
const at = (iso: string) => new Date(iso)
const params = { batteryLow: 20, batteryOk: 40, flapLimit: 3, flapWindowMs: 10 * 60_000 }

t.test('the rule engine', async (t) => {
  let url = await freshDatabaseUrl(t)
  if (!url) {
    const pg = await startEmbedded(await tempDataDir(t), log)
    t.teardown(() => pg.stop())
    url = pg.url
  }
  const db = createPool(url)
  t.teardown(() => db.end())
  await migrate(db)

  let now = at('2026-03-28T12:00:00+01:00')
  let n = 0
  const bus = new Bus()
  const metrics = createMetrics()
  const alerts = new AlertRunner({
    db,
    bus,
    metrics,
    log,
    clock: { now: () => now },
    ids: (p) => `${p}_t${++n}`,
  })
  const engines: RuleEngine[] = []
  async function engine() {
    const e = new RuleEngine({ db, alerts, bus, metrics, log, params, everyMs: 60_000 })
    await e.recover()
    engines.push(e)
    return e
  }
  t.teardown(async () => {
    for (const e of engines) await e.stop()
  })

  await db.query(
    `INSERT INTO sites (id, kind, name, address, timezone) VALUES ('site_b', 'home', 'B', 'x', 'Europe/Berlin')`,
  )
  async function resident(id: string, activity: unknown, devices: [string, string][]) {
    await db.query(
      `INSERT INTO residents (id, site_id, name, ability_level, lives_alone, activity)
       VALUES ($1, 'site_b', $1, 2, true, $2)`,
      [id, JSON.stringify(activity)],
    )
    for (const [dev, type] of devices) {
      await db.query(
        `INSERT INTO devices (id, type, site_id, resident_id, secret_hash, created_at) VALUES ($1, $2, 'site_b', $3, '\\x00', $4)`,
        [dev, type, id, now],
      )
    }
  }
  const alertsOf = async (where: string, args: unknown[]) =>
    (
      await db.query<{
        id: string
        type: string
        state: string
        outcome: string | null
        count: number
        opened_at: Date
      }>(
        `SELECT id, type, state, outcome, count, opened_at FROM alerts WHERE ${where} ORDER BY opened_at`,
        args,
      )
    ).rows
  const sweepAt = async (e: RuleEngine, iso: string) => {
    now = at(iso)
    await e.sweep()
  }
  const motion = (deviceId: string, residentId: string, iso: string) => {
    now = at(iso)
    const o: Observation = {
      at: now.getTime(),
      deviceId,
      kind: 'event',
      activity: true,
      eventType: 'motion',
      state: 'alarm',
    }
    return { device: { id: deviceId, siteId: 'site_b', residentId }, o }
  }

  await t.test(
    'inactivity opens after N hours of window time and the first activity resolves it',
    async (t) => {
      now = at('2026-03-27T21:00:00+01:00')
      await resident('res_day', { inactiveAfter: '2h', window: { from: '07:00', to: '22:00' } }, [
        ['pir_day', 'motion-sensor'],
      ])
      const e = await engine()
      const m = motion('pir_day', 'res_day', '2026-03-27T21:30:00+01:00')
      e.observe(m.device, m.o)
      await sweepAt(e, '2026-03-27T23:59:00+01:00')
      await sweepAt(e, '2026-03-28T08:29:00+01:00')
      t.same(await alertsOf(`resident_id = 'res_day'`, []), [], 'night hours do not count')
      await sweepAt(e, '2026-03-28T08:30:00+01:00')
      const [opened] = await alertsOf(`resident_id = 'res_day'`, [])
      t.match(
        opened,
        { type: 'inactivity', state: 'open' },
        'opened at 30 minutes + 1.5 hours of window time',
      )
      await sweepAt(e, '2026-03-28T09:30:00+01:00')
      t.equal((await alertsOf(`resident_id = 'res_day'`, [])).length, 1, 'one alert per silence')
      const m2 = motion('pir_day', 'res_day', '2026-03-28T09:31:00+01:00')
      e.observe(m2.device, m2.o)
      await e.flush()
      t.match(await alertsOf(`resident_id = 'res_day'`, []), [{ state: 'resolved', outcome: 'activity' }])
      t.ok(
        metricValue(await metrics.registry.metrics(), 'hub_rule_alerts_opened_total', {
          rule: 'inactivity',
        }) >= 1,
      )
      t.ok(
        metricValue(await metrics.registry.metrics(), 'hub_rules_evaluated_total', { rule: 'inactivity' }) >=
          1,
      )
      await e.stop()
    },
  )

  await t.test(
    'across midnight and the spring DST change, a restart recovers the last activity',
    async (t) => {
      // a night-shift window 22:00–06:00; 4 hours of it after 22:00 CET is 03:00 CEST (01:00Z): 02:00 never happens
      now = at('2026-03-28T21:00:00+01:00')
      now = at('2026-03-28T21:00:00+01:00')
      await resident('res_dst', { inactiveAfter: '4h', window: { from: '22:00', to: '06:00' } }, [
        ['pir_dst', 'motion-sensor'],
      ])
      const first = await engine()
      const m = motion('pir_dst', 'res_dst', '2026-03-28T22:00:00+01:00')
      first.observe(m.device, m.o)
      await sweepAt(first, '2026-03-28T23:00:00+01:00')
      await first.stop()

      // the hub restarts at midnight: the silence counts from 22:00 as saved, not from the restart
      now = at('2026-03-29T00:00:00+01:00')
      const second = await engine()
      await sweepAt(second, '2026-03-29T00:59:00Z')
      t.same(await alertsOf(`resident_id = 'res_dst'`, []), [])
      await sweepAt(second, '2026-03-29T01:00:00Z')
      t.match(await alertsOf(`resident_id = 'res_dst'`, []), [{ type: 'inactivity', state: 'open' }])
      await second.stop()

      // another restart: the open alert is recovered, so the first activity resolves it
      const third = await engine()
      const m2 = motion('pir_dst', 'res_dst', '2026-03-29T05:00:00+02:00')
      third.observe(m2.device, m2.o)
      await third.flush()
      t.match(await alertsOf(`resident_id = 'res_dst'`, []), [{ state: 'resolved', outcome: 'activity' }])
      await third.stop()
    },
  )

  await t.test('a moved device: the resident it left stops being watched', async (t) => {
    await resident('res_from', null, [['pir_move', 'motion-sensor']])
    await resident('res_to', null, [])
    // long unchanged: only the triggers can bring them back into a refresh
    for (const table of ['residents', 'devices', 'sites'])
      await db.query(`UPDATE ${table} SET rules_changed_at = '2026-01-01T00:00:00Z'`)
    const e = await engine()
    t.ok(e.states.get('inactivity')!.has('res_from'))
    t.notOk(e.states.get('inactivity')!.has('res_to'))
    await db.query(`UPDATE devices SET resident_id = 'res_to' WHERE id = 'pir_move'`)
    await e.sweep()
    t.notOk(e.states.get('inactivity')!.has('res_from'), 'no activity device left')
    t.ok(e.states.get('inactivity')!.has('res_to'))
    await e.stop()
  })

  await t.test('a flapping device is one alert holding its toggles, and no offline alert', async (t) => {
    await resident('res_flap', null, [['btn_flap', 'call-button']])
    const e = await engine()
    const device = { id: 'btn_flap', siteId: 'site_b', residentId: 'res_flap' }
    const start = at('2026-03-30T10:00:00+02:00').getTime()
    for (let i = 0; i < 12; i++) {
      e.observe(device, {
        at: start + i * 20_000,
        deviceId: 'btn_flap',
        kind: 'status',
        activity: false,
        status: i % 2 ? 'offline' : 'online',
      })
      if (i === 6 || i === 11) await sweepAt(e, new Date(start + i * 20_000 + 1000).toISOString())
    }
    const flaps = await alertsOf(`device_id = 'btn_flap'`, [])
    t.equal(flaps.length, 1, 'one alert, not a storm')
    t.match(flaps[0], { type: 'flapping', state: 'open', count: 2 })
    const { rows: history } = await db.query<{ kind: string; data: Record<string, unknown> }>(
      'SELECT kind, data FROM alert_events WHERE alert_id = $1 ORDER BY id',
      [flaps[0]!.id],
    )
    t.match(history.at(-1), {
      kind: 'repeated',
      data: {
        toggles: 11,
        first: new Date(start + 20_000).toISOString(),
        last: new Date(start + 11 * 20_000).toISOString(),
      },
    })

    // silent for days: the offline watch leaves it to the flapping alert
    now = at('2026-04-02T10:00:00+02:00')
    await new OfflineWatch({ alerts, log, everyMs: 60_000, factor: 2 }).sweep()
    t.same((await alertsOf(`device_id = 'btn_flap' AND type = 'offline'`, [])).length, 0)
    await e.sweep()
    t.match(await alertsOf(`device_id = 'btn_flap'`, []), [
      { type: 'flapping', state: 'resolved', outcome: 'stable' },
    ])
    await e.stop()
  })

  await t.test('a battery opens one alert under the low mark and resolves above the ok mark', async (t) => {
    await resident('res_bat', null, [['pir_bat', 'motion-sensor']])
    const e = await engine()
    const device = { id: 'pir_bat', siteId: 'site_b', residentId: 'res_bat' }
    const read = async (battery: number) => {
      e.observe(device, { at: now.getTime(), deviceId: 'pir_bat', kind: 'reading', activity: false, battery })
      await e.flush()
      return alertsOf(`device_id = 'pir_bat'`, [])
    }
    t.same(await read(30), [])
    t.match(await read(19), [{ type: 'low-battery', state: 'open' }])
    t.match(await read(25), [{ state: 'open' }])
    t.match(await read(15), [{ state: 'open', count: 1 }], 'wavering under the mark opens nothing more')
    t.match(await read(100), [{ state: 'resolved', outcome: 'battery-replaced' }])
    await e.stop()
  })

  await t.test(
    "a water meter's leak opens once held down for 120 s, with the definition's alert",
    async (t) => {
      await resident('res_leak', null, [['wm_leak', 'water-meter']])
      now = at('2026-04-01T10:00:00+02:00')
      const e = await engine()
      e.observe(
        { id: 'wm_leak', siteId: 'site_b', residentId: 'res_leak' },
        {
          at: now.getTime(),
          deviceId: 'wm_leak',
          deviceType: 'water-meter',
          kind: 'event',
          activity: false,
          eventType: 'leak',
          eventId: 'l-1',
          state: 'alarm',
        },
      )
      await sweepAt(e, '2026-04-01T10:01:59+02:00')
      t.same(await alertsOf(`device_id = 'wm_leak'`, []), [])
      await sweepAt(e, '2026-04-01T10:02:00+02:00')
      const [leak] = await alertsOf(`device_id = 'wm_leak'`, [])
      t.match(leak, { type: 'leak', state: 'open' })
      const { rows } = await db.query('SELECT priority, alert_class, resident_id FROM alerts WHERE id = $1', [
        leak!.id,
      ])
      t.same(rows[0], { priority: 3, alert_class: 'technical', resident_id: 'res_leak' })
      await e.stop()
    },
  )

  await t.test('snooze: recorded, technical alerts only, escalation waits', async (t) => {
    await resident('res_snz', { inactiveAfter: '1h', window: { from: '00:00', to: '24:00' } }, [
      ['pir_snz', 'motion-sensor'],
    ])
    now = at('2026-04-03T10:00:00+02:00')
    const e = await engine()
    e.observe(
      { id: 'pir_snz', siteId: 'site_b', residentId: 'res_snz' },
      {
        at: now.getTime(),
        deviceId: 'pir_snz',
        kind: 'reading',
        activity: false,
        battery: 10,
      },
    )
    await e.flush()
    const [battery] = await alertsOf(`device_id = 'pir_snz'`, [])
    // as if the escalator had a step due now (the runner's transaction created the row)
    await db.query('UPDATE alert_escalations SET next_due_at = $2 WHERE alert_id = $1', [battery!.id, now])
    const snoozed = await snoozeAlert(alerts, battery!.id, {
      actor: 'op1',
      forMs: 4 * 3_600_000,
      note: 'Monday',
    })
    t.match(snoozed.history.at(-1), {
      kind: 'snoozed',
      actor: 'op1',
      note: 'Monday',
      data: { until: '2026-04-03T12:00:00.000Z' },
    })
    const { rows } = await db.query('SELECT next_due_at FROM alert_escalations WHERE alert_id = $1', [
      battery!.id,
    ])
    t.same(rows[0].next_due_at, at('2026-04-03T12:00:00.000Z'), 'the next step waits for the snooze')

    await sweepAt(e, '2026-04-03T11:00:00+02:00')
    const [inactive] = await alertsOf(`resident_id = 'res_snz' AND type = 'inactivity'`, [])
    await t.rejects(snoozeAlert(alerts, inactive!.id, { actor: 'op1', forMs: 3_600_000 }), {
      code: 'HUB_ERR_CONFLICT',
    })
    await e.stop()
  })
})
