import type { Queryable } from './db.js'

// An alert's history stays bounded however long it escalates: a chain's last step repeats (a reminder every few
// minutes until someone answers) and every reminder is delivered again, so the `escalated` entries of one step
// and the `notified` entries of one recipient on one channel would grow without end, and with them every
// live-feed message about the alert. Like repeats, each such group keeps its first entry and its latest,
// which carries the group's `count`; the entries between are dropped from the trail.

/**
 * Folds the `escalated` (per step index) and `notified` (per target, recipient and channel) entries of these
 * alerts to the first and the latest of each group, the latest counting them all. Run after new entries are
 * written (the outbox) or before a step adds one (the escalator): a group then never holds more than three.
 */
export async function foldHistory(q: Queryable, alertIds: string[]) {
  if (alertIds.length === 0) return
  await q.query(
    `WITH e AS (
       SELECT id, alert_id, kind, data,
         CASE kind WHEN 'escalated' THEN data->>'index'
           ELSE concat_ws(E'\\x1f', data->>'target', data->>'recipient', data->>'channel') END AS grp
       FROM alert_events WHERE alert_id = ANY($1::text[]) AND kind IN ('escalated', 'notified')
     ), ranked AS (
       SELECT id, row_number() OVER w AS rn, count(*) OVER p AS k,
         -- the second entry is the previous latest: it holds the count so far (2 if it was never folded)
         coalesce((nth_value(data, 2) OVER whole ->> 'count')::int, 2) AS counted
       FROM e WINDOW p AS (PARTITION BY alert_id, kind, grp), w AS (p ORDER BY id),
         whole AS (p ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
     ), dropped AS (
       DELETE FROM alert_events a USING ranked r WHERE a.id = r.id AND r.k > 2 AND r.rn > 1 AND r.rn < r.k
     )
     UPDATE alert_events a SET data = a.data || jsonb_build_object('count', r.counted + r.k - 2)
     FROM ranked r WHERE a.id = r.id AND r.k > 2 AND r.rn = r.k`,
    [[...new Set(alertIds)]],
  )
}
