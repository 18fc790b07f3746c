import type { AlertAction, HistoryEntry } from '../core/alert.js'
import type { Language } from './channel.js'
import { alertTypeName, describeLocation, escapeHtml as e, formatTime } from './templates.js'

// The page a family member's acknowledgement link opens, on a phone, often under stress: what happened (the
// alert, who, where, when), what the care team has done so far, and one big button. Server-rendered, every
// value escaped, no script and nothing fetched from elsewhere, readable at 320-390 px wide.

/** One step of the handling a family member may see: who acknowledged, what was done, who is on the way. */
export type HandlingStep =
  | { at: string; kind: 'acknowledged' | 'contact-acknowledged'; who: string }
  | { at: string; kind: 'action'; who: string; action: AlertAction }
  | { at: string; kind: 'resolved'; who: string; outcome: string | null }

/** What the page shows about the alert, when the link is good. */
export interface AckSummary {
  type: string
  state: 'open' | 'acknowledged' | 'resolved'
  residentName: string | null
  siteName: string | null
  address: string | null
  location: Record<string, string> | null
  openedAt: string
  /** the site's IANA zone: times read as the family's clock there */
  timeZone?: string
  handling: HandlingStep[]
}

export type AckView =
  /** GET: asks to confirm. A GET never acknowledges, since messaging apps open links to preview them. */
  | { kind: 'confirm'; summary: AckSummary; action: string }
  | { kind: 'done' | 'already' | 'closed'; summary: AckSummary }
  | { kind: 'invalid' | 'expired' }

/**
 * The steps of an alert's history a family sees, oldest first. Operators' notes stay internal; `name` turns
 * a username into the name the family should read.
 */
export function handlingOf(history: HistoryEntry[], name: (actor: string) => string): HandlingStep[] {
  return history.flatMap((h): HandlingStep[] => {
    const at = h.at.toISOString()
    const who = h.actor === null ? '' : name(h.actor)
    if (h.kind === 'acknowledged' || h.kind === 'contact-acknowledged') return [{ at, kind: h.kind, who }]
    if (h.kind === 'action') return [{ at, kind: 'action', who, action: h.data.action as AlertAction }]
    if (h.kind === 'resolved') {
      return [{ at, kind: 'resolved', who, outcome: (h.data.outcome as string | undefined) ?? null }]
    }
    return []
  })
}

const words = {
  en: {
    title: 'Emergency alert',
    other: { lang: 'zh-CN', label: '中文' },
    resident: 'Resident',
    place: 'Place',
    time: 'Raised at',
    handling: 'What the care team has done',
    nothingYet: 'The care centre has been alerted and is calling.',
    confirm: 'Let the care team know you are on your way.',
    button: "I'm on my way",
    done: 'Thank you. The care team knows you are on your way.',
    already: 'You have already told the care team you are on your way.',
    closed: 'The care team has handled this alert. Nothing more is needed from you.',
    invalid: 'This link is not valid. Please call the care centre.',
    expired: 'This link has expired. Please call the care centre.',
    acknowledged: (who: string) => `${who} (care centre) took the alert`,
    onTheWay: (who: string) => `${who} is on the way`,
    resolved: (who: string, outcome: string | null) => `Handled by ${who}${outcome ? `: ${outcome}` : ''}`,
    actions: {
      'called-resident': (who: string) => `${who} called the resident`,
      'called-family': (who: string) => `${who} called the family`,
      'dispatched-staff': (who: string) => `${who} sent staff to the resident`,
      'called-120': (who: string) => `${who} called an ambulance (120)`,
      'called-119': (who: string) => `${who} called the fire service (119)`,
    },
  },
  'zh-CN': {
    title: '紧急报警',
    other: { lang: 'en', label: 'English' },
    resident: '老人',
    place: '地点',
    time: '报警时间',
    handling: '护理团队的处理',
    nothingYet: '呼叫中心已收到报警，正在联系。',
    confirm: '请告知护理团队您正在赶来。',
    button: '我正在赶来',
    done: '谢谢，护理团队已知道您正在赶来。',
    already: '您已告知护理团队您正在赶来。',
    closed: '护理团队已处理此报警，您无需再做什么。',
    invalid: '此链接无效，请致电护理中心。',
    expired: '此链接已过期，请致电护理中心。',
    acknowledged: (who: string) => `${who}（呼叫中心）已接警`,
    onTheWay: (who: string) => `${who}正在赶来`,
    resolved: (who: string, outcome: string | null) => `${who}已处理完毕${outcome ? `：${outcome}` : ''}`,
    actions: {
      'called-resident': (who: string) => `${who}已致电老人`,
      'called-family': (who: string) => `${who}已致电家属`,
      'dispatched-staff': (who: string) => `${who}已派工作人员上门`,
      'called-120': (who: string) => `${who}已拨打120急救电话`,
      'called-119': (who: string) => `${who}已拨打119火警电话`,
    },
  },
} as const

function stepText(language: Language, s: HandlingStep): string {
  const w = words[language]
  switch (s.kind) {
    case 'acknowledged':
      return w.acknowledged(s.who)
    case 'contact-acknowledged':
      return w.onTheWay(s.who)
    case 'resolved':
      return w.resolved(s.who, s.outcome)
    case 'action':
      // an action a newer hub knows and these words do not: shown as it is
      return (w.actions as Partial<Record<string, (who: string) => string>>)[s.action]?.(s.who) ?? s.action
  }
}

function summaryHtml(language: Language, s: AckSummary): string {
  const w = words[language]
  const time = (iso: string) => formatTime(iso, language, s.timeZone)
  const place = [s.siteName, s.address, s.location && describeLocation(s.location, language)]
    .filter(Boolean)
    .join(language === 'en' ? ', ' : '，')
  const facts: [string, string | null][] = [
    [w.resident, s.residentName],
    [w.place, place || null],
    [w.time, time(s.openedAt)],
  ]
  const steps = s.handling.length
    ? `<ol class="steps">${s.handling.map((h) => `<li><time datetime="${e(h.at)}">${e(time(h.at))}</time> ${e(stepText(language, h))}</li>`).join('')}</ol>`
    : `<p>${e(w.nothingYet)}</p>`
  return `<h1>${e(alertTypeName(s.type, language))}</h1>
<dl>${facts
    .filter((f): f is [string, string] => f[1] !== null)
    .map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`)
    .join('')}</dl>
<h2>${e(w.handling)}</h2>
${steps}`
}

function bodyHtml(language: Language, view: AckView): string {
  const w = words[language]
  switch (view.kind) {
    case 'confirm':
      // The hidden field gives the POST a body, so the route needs only a form parser, not an empty-body rule.
      return `${summaryHtml(language, view.summary)}
<p class="ask">${w.confirm}</p>
<form method="post" action="${e(view.action)}"><input type="hidden" name="ack" value="1"><button type="submit">${w.button}</button></form>`
    case 'done':
    case 'already':
    case 'closed':
      return `<p class="ok">${w[view.kind]}</p>
${summaryHtml(language, view.summary)}`
    case 'invalid':
    case 'expired':
      return `<h1>${w.title}</h1><p>${w[view.kind]}</p>`
  }
}

/**
 * A small self-contained HTML page (no external assets). `otherLanguage` is the link that shows the same page
 * in the other language (the same URL with `?lang=`), when there is one to offer.
 */
export function ackPage(
  language: Language,
  view: AckView,
  otherLanguage?: (lang: Language) => string,
): string {
  const other = words[language].other
  const switcher = otherLanguage
    ? `<nav><a href="${e(otherLanguage(other.lang))}" lang="${other.lang}">${other.label}</a></nav>`
    : ''
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
<title>${words[language].title}</title>
<style>
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:28rem;margin:0 auto;padding:1rem;line-height:1.5;font-size:1.05rem;overflow-wrap:anywhere;color:#1c1b1f}
nav{text-align:right}
h1{font-size:1.5rem;color:#b3261e;margin:.5rem 0}
h2{font-size:1.05rem;margin:1.2rem 0 .3rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:0}
dt{color:#555}
dd{margin:0}
.steps{padding-left:1.2rem;margin:0}
.steps time{color:#555;display:block;font-size:.9rem}
.ok{color:#146c2e;font-weight:600}
.ask{margin-top:1.5rem}
button{width:100%;font-size:1.25rem;padding:1rem;border:0;border-radius:.6rem;background:#b3261e;color:#fff}
</style>
</head><body>
${switcher}
${bodyHtml(language, view)}
</body></html>
`
}
