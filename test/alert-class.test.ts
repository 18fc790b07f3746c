import { pino } from 'pino'
import t from 'tap'
import { type AlertClass, alertClasses, definitions } from '../devices/index.js'
import { type Chain, runStep, start, type TargetKind, targetKey } from '../src/core/escalation.js'
import { chainFor } from '../src/notify/escalator.js'
import { createPool } from '../src/store/db.js'
import { startEmbedded } from '../src/store/embedded.js'
import { migrate } from '../src/store/migrate.js'
import { tempDataDir } from './fixtures/data-dir.js'
import { freshDatabaseUrl } from './fixtures/test-database.js'

// A sweep over every device definition: each event type that opens an alert says its class, and the default
// escalation chain its class picks (from the shipped migrations, by the escalator's own chooser) reaches people
// in time. No alert type is named here: a new device type is covered the day its file is added.

const REACH_SECONDS = 60
// an alarm must reach the call centre and someone on site (or the family, who may be nearer) within 60 s
const mustReach: TargetKind[][] = [['call-centre'], ['duty-staff', 'family']]

/** Every target the chain notifies in its first `seconds` with nobody acknowledging. */
function reachedWithin(chain: Chain, seconds: number): Set<string> {
  const opened = new Date('2026-12-01T00:00:00.000Z')
  const reached = new Set<string>()
  let at = start(opened)
  while (at.dueAt.getTime() - opened.getTime() <= seconds * 1000) {
    const run = runStep(chain, at)
    for (const target of run.step.targets) reached.add(targetKey(target))
    at = run.next
  }
  return reached
}

const reachesPeople = (chain: Chain) => {
  const reached = reachedWithin(chain, REACH_SECONDS)
  return mustReach.every((anyOf) => anyOf.some((k) => reached.has(k)))
}

// the built-in defaults (migrations/007_alert_class.sql), one per class
const defaults: Record<AlertClass, string> = {
  'life-safety': 'pol_default_life_safety',
  fire: 'pol_default_fire',
  technical: 'pol_default_any',
}

const openRules = definitions.flatMap((d) =>
  Object.entries(d.events).flatMap(([event, rule]) =>
    rule.action === 'open' ? [{ device: d.type, event, type: rule.alertType, alertClass: rule.class }] : [],
  ),
)

t.test('every event type that opens an alert names its class', async (t) => {
  t.ok(openRules.length > 0)
  for (const r of openRules)
    t.ok(alertClasses.includes(r.alertClass), `${r.device}/${r.event}: ${r.alertClass}`)
})

t.test('every life-safety and fire event reaches a person within 60 s by its default chain', async (t) => {
  let url = await freshDatabaseUrl(t)
  if (!url) {
    const pg = await startEmbedded(await tempDataDir(t), pino({ level: 'silent' }))
    t.teardown(() => pg.stop())
    url = pg.url
  }
  const db = createPool(url)
  t.teardown(() => db.end())
  await migrate(db)

  const urgent: AlertClass[] = ['life-safety', 'fire']
  for (const r of openRules) {
    const chain = await chainFor(db, { siteId: null, type: r.type, alertClass: r.alertClass })
    const name = `${r.device}/${r.event} (${r.alertClass})`
    t.equal(chain.policyId, defaults[r.alertClass], `${name}: its class's default`)
    if (urgent.includes(r.alertClass)) t.ok(reachesPeople(chain), `${name} reaches people within 60 s`)
  }
  t.ok(
    openRules.some((r) => urgent.includes(r.alertClass)),
    'the sweep covers at least one urgent event',
  )
  // the check is not empty: the technical default (call centre, then a supervisor after 15 min) fails it
  const technical = await chainFor(db, { siteId: null, type: 'some-new-alarm', alertClass: 'technical' })
  t.notOk(reachesPeople(technical), 'the technical chain would not do for an alarm')
  // and a new alarm type nobody wrote a policy for gets its class's chain, not the technical one
  const newType = await chainFor(db, { siteId: null, type: 'bed-exit', alertClass: 'life-safety' })
  t.equal(newType.policyId, 'pol_default_life_safety')
})
