import { z } from 'zod'
import type { AlertClass } from '../../devices/index.js'

// Escalation chains, pure: where a running chain stands, what its next step does and when the one after it
// is due. No I/O, no clock: the scheduler passes the step's own deadline in and gets the next one back.

/** Why a notification was sent: the first of its step, a repeat of a step, or the "unanswered" step. */
export type NotificationReason = 'alert' | 'reminder' | 'unanswered'

export const targetKinds = ['call-centre', 'duty-staff', 'family', 'supervisor'] as const
export type TargetKind = (typeof targetKinds)[number]

/** Who a step notifies: a group by name, or one user by id. */
export const targetSchema = z.union([z.enum(targetKinds), z.object({ user: z.string().min(1) }).strict()])
export type Target = z.infer<typeof targetSchema>

export const stepSchema = z
  .object({
    name: z.string().min(1).max(64),
    targets: z.array(targetSchema).min(1).max(20),
    /** how long to wait for an acknowledgement before the next step; the last step repeats this often */
    waitSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400),
    /** reaching this step marks the alert "unanswered" */
    unanswered: z.boolean().optional(),
  })
  .strict()
export type Step = z.infer<typeof stepSchema>

export const stepsSchema = z.array(stepSchema).min(1).max(20)

/** A policy's steps as snapshotted onto an alert when its escalation starts: later edits do not touch it. */
export interface Chain {
  policyId: string
  policyName: string
  steps: Step[]
}

/** Where a chain stands: the step to run next, how many times it already ran (repeats of the last step), when. */
export interface Position {
  step: number
  iteration: number
  dueAt: Date
}

export const targetKey = (t: Target) => (typeof t === 'string' ? t : `user:${t.user}`)

export interface StepRun {
  step: Step
  /** why each of the step's targets is notified, by targetKey */
  reasons: Map<string, NotificationReason>
  /** marks the alert unanswered (the first time an "unanswered" step runs) */
  raiseUnanswered: boolean
  next: Position
}

/** The first step runs when the alert opens. */
export const start = (openedAt: Date): Position => ({ step: 0, iteration: 0, dueAt: openedAt })

/**
 * Runs the step at `at`. A target notified by an earlier step, or by an earlier run of this one, gets a
 * reminder (a new notification); the last step repeats until the alert is acknowledged, so an escalation
 * never ends in silence.
 */
export function runStep(chain: Chain, at: Position): StepRun {
  const last = chain.steps.length - 1
  const index = Math.min(at.step, last)
  const step = chain.steps[index]!
  const earlier = new Set(chain.steps.slice(0, index).flatMap((s) => s.targets.map(targetKey)))
  const reasons = new Map<string, NotificationReason>()
  for (const t of step.targets) {
    const key = targetKey(t)
    const repeated = at.iteration > 0 || earlier.has(key)
    reasons.set(key, repeated ? 'reminder' : step.unanswered ? 'unanswered' : 'alert')
  }
  const dueAt = new Date(at.dueAt.getTime() + step.waitSeconds * 1000)
  const next =
    index < last
      ? { step: index + 1, iteration: 0, dueAt }
      : { step: index, iteration: at.iteration + 1, dueAt }
  return { step, reasons, raiseUnanswered: Boolean(step.unanswered) && at.iteration === 0, next }
}

export interface PolicyCandidate {
  id: string
  siteId: string | null
  /** an alert type, or '*' */
  alertType: string
  /** with alertType '*': the class it applies to; null for any */
  alertClass: AlertClass | null
}

/**
 * The most specific policy for an alert: at its site before hub-wide; for its type, else for its class (the
 * built-in defaults are per class), else for any alert. A type's name alone never picks a default.
 */
export function choosePolicy<P extends PolicyCandidate>(
  policies: P[],
  siteId: string | null,
  alertType: string,
  alertClass: AlertClass,
): P | undefined {
  const specificity = (p: P) => (p.alertType === alertType ? 0 : p.alertClass === alertClass ? 1 : 2)
  const rank = (p: P) => (p.siteId === siteId && siteId !== null ? 0 : 3) + specificity(p)
  return policies
    .filter(
      (p) =>
        (p.siteId === null || p.siteId === siteId) &&
        (p.alertType === alertType || (p.alertType === '*' && (p.alertClass ?? alertClass) === alertClass)),
    )
    .sort((a, b) => rank(a) - rank(b))[0]
}
