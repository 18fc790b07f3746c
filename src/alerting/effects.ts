import type { Logger } from 'pino'
import type { Change } from '../core/alert-machine.js'
import type { AlertWork } from './work.js'

// Effects that must happen in the same transaction as the alert change that causes them (a fire alarm's
// signal to the monitoring centre: DESIGN.md, "a fire signal is queued in the event's own transaction").
// They run before the alert rows are written (the foreign keys to alerts are checked at commit), so the feed's
// counter row is not held while they work.

export interface AlertEffect {
  name: string
  /** no I/O: whether a change concerns the effect at all (most do not, and cost nothing) */
  concerns(change: Change): boolean
  apply(work: AlertWork, changes: Change[]): Promise<void>
}

/** an effect's own decisions (a confirmation) are fed back; this bounds that loop */
const MAX_ROUNDS = 8

/**
 * Applies every effect to the changes decided so far, then to the changes the effects decided, and so on.
 * Each effect runs under a savepoint: one that fails is rolled back alone and raises a technical alert for
 * the operators, and the alarm that caused it is committed all the same.
 */
export async function applyEffects(work: AlertWork, effects: readonly AlertEffect[], log?: Logger) {
  let done = 0
  for (let round = 0; round < MAX_ROUNDS && done < work.changes.length; round++) {
    const fresh = work.changes.slice(done)
    done = work.changes.length
    for (const effect of effects) {
      const mine = fresh.filter((c) => effect.concerns(c))
      if (mine.length > 0) await guarded(work, effect, mine, log)
    }
  }
}

async function guarded(work: AlertWork, effect: AlertEffect, changes: Change[], log?: Logger) {
  const mark = work.mark()
  await work.tx.query('SAVEPOINT alert_effect')
  try {
    await effect.apply(work, changes)
    await work.tx.query('RELEASE SAVEPOINT alert_effect')
  } catch (err) {
    await work.tx.query('ROLLBACK TO SAVEPOINT alert_effect')
    work.rewind(mark)
    const alerts = changes.map((c) => c.alert.id)
    log?.error({ err, effect: effect.name, alerts }, 'an alert effect failed; set aside, the alerts are kept')
    const error = err instanceof Error ? err.message : String(err)
    for (const { alert } of changes) {
      work.raise({
        alertType: 'delivery-failure',
        siteId: alert.siteId,
        residentId: alert.residentId,
        relatedAlertId: alert.id,
        data: { effect: effect.name, error },
      })
    }
  }
}
