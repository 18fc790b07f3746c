import type { Logger } from 'pino'
import type { AlertRunner } from '../alerting/runner.js'
import type { AlertWork } from '../alerting/work.js'
import { Periodic } from '../periodic.js'
import { getAlert } from '../store/alerts.js'
import { contactChanges, openNoContactAlert } from '../store/visits.js'

// A special-difficulty resident with neither activity data (a sign of life from their activity devices, as the
// rule engine records it in resident_rule_state) nor a visit for `afterMs` (default 30 days) is a blind spot: a
// technical "no-contact" alert (priority 3) asks someone to look. A visit resolves it at once ("visited");
// activity resolves it on the next pass ("activity"). Like offline supervision, a periodic pass through the alerting runner.

export interface NoContactWatchDeps {
  alerts: AlertRunner
  log: Logger
  everyMs: number
  afterMs: number
}

/** Resolves the resident's open no-contact alert, in this work's transaction. */
export async function resolveNoContact(work: AlertWork, residentId: string, outcome: string) {
  const id = await openNoContactAlert(work.tx, residentId)
  const alert = id ? await getAlert(work.tx, id, true) : null
  if (alert && alert.state !== 'resolved') work.decide(alert, { kind: 'resolve', actor: 'hub', outcome })
}

export class NoContactWatch {
  private readonly ticker: Periodic

  constructor(private readonly deps: NoContactWatchDeps) {
    this.ticker = new Periodic({
      what: 'no-contact sweep',
      everyMs: deps.everyMs,
      pass: () => this.sweep(),
      log: deps.log,
    })
  }

  start() {
    this.ticker.start()
  }

  async stop() {
    await this.ticker.stop()
  }

  /** One pass: open alerts for residents gone without contact, resolve those heard from or visited since. */
  async sweep() {
    await this.deps.alerts.run(async (work) => {
      // one pass at a time across hub processes, or two could open the same resident's alert
      const { rows } = await work.tx.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtext('eldercare-hub:no-contact')) AS ok`,
      )
      if (!rows[0]?.ok) return
      const cutoff = new Date(work.now.getTime() - this.deps.afterMs)
      for (const c of await contactChanges(work.tx, cutoff)) {
        if (c.quiet) {
          work.decide(null, {
            kind: 'hub-alert',
            newId: work.newId('alr'),
            source: {
              alertType: 'no-contact',
              siteId: c.siteId,
              residentId: c.residentId,
              relatedAlertId: null,
              data: { lastContactAt: c.lastContactAt.toISOString() },
            },
          })
        } else {
          await resolveNoContact(work, c.residentId, c.special ? 'activity' : 'not-special-difficulty')
        }
      }
    })
  }
}
