import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

// Every metric the hub exports, in one place; each is changed from one function only.

/** Read when /metrics is scraped; set by the part that owns the figure (the ingest sets `queues`). */
export interface MetricProbes {
  queues?: () => Record<string, number>
}

export function createMetrics() {
  const probes: MetricProbes = {}
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const r = [registry]
  return {
    registry,
    probes,
    mqttRefused: new Counter({
      name: 'hub_mqtt_refused_total',
      help: 'MQTT connections, publishes and subscriptions refused, by reason',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    mqttClients: new Gauge({ name: 'hub_mqtt_clients', help: 'Connected MQTT clients', registers: r }),
    devicesConnected: new Gauge({
      name: 'hub_devices_connected',
      help: 'Devices connected over MQTT, by device type',
      labelNames: ['type'] as const,
      registers: r,
    }),
    queueDepth: new Gauge({
      name: 'hub_ingest_queue_depth',
      help: 'Ingest queues when scraped, by queue (events: alarms waiting to commit; telemetry: items waiting for the telemetry writer; telemetry-admitted: readings admitted, not yet committed; telemetry-waiting: QoS 1 readings waiting for admission, their PUBACKs held)',
      labelNames: ['queue'] as const,
      registers: r,
      collect() {
        for (const [queue, n] of Object.entries(probes.queues?.() ?? {})) this.set({ queue }, n)
      },
    }),
    uitdFrames: new Counter({
      name: 'hub_uitd_frames_total',
      help: 'GB/T 26875.3 frames from UITDs, by outcome (confirmed, denied, answered, bad-<reason>, closed-link)',
      labelNames: ['outcome'] as const,
      registers: r,
    }),
    pushes: new Counter({
      name: 'hub_push_total',
      help: 'Carrier-platform pushes, by platform and outcome (accepted, bad-signature, unknown-device, invalid)',
      labelNames: ['platform', 'outcome'] as const,
      registers: r,
    }),
    messages: new Counter({
      name: 'hub_ingest_messages_total',
      help: 'Device messages accepted, by channel',
      labelNames: ['channel'] as const,
      registers: r,
    }),
    rejected: new Counter({
      name: 'hub_ingest_rejected_total',
      help: 'Device messages rejected, by reason',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    duplicates: new Counter({
      name: 'hub_ingest_duplicate_events_total',
      help: 'Retransmitted events dropped by their id',
      registers: r,
    }),
    shed: new Counter({
      name: 'hub_ingest_shed_total',
      help: 'QoS 0 telemetry dropped unwritten, by reason (alarm-busy: an alarm was being committed; budget: too many readings uncommitted)',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    held: new Counter({
      name: 'hub_ingest_telemetry_held_total',
      help: 'QoS 1 telemetry whose PUBACK waited for admission (back-pressure), by reason',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    stageSeconds: new Histogram({
      name: 'hub_ingest_stage_seconds',
      help: 'Time a device message spends in each ingest stage (broker-auth: topic ACL and telemetry admission; decode; commit: queued to committed; publish: PUBACK and broker fan-out), by pipeline',
      labelNames: ['pipeline', 'stage'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    }),
    batchRetries: new Counter({
      name: 'hub_store_batch_retries_total',
      help: 'Write batches retried after a database error, by pipeline',
      labelNames: ['pipeline'] as const,
      registers: r,
    }),
    commitSeconds: new Histogram({
      name: 'hub_store_commit_seconds',
      help: 'Time to write and commit one batch, by pipeline',
      labelNames: ['pipeline'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    batchSize: new Histogram({
      name: 'hub_store_batch_size',
      help: 'Items per committed batch, by pipeline',
      labelNames: ['pipeline'] as const,
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers: r,
    }),
    rulesEvaluated: new Counter({
      name: 'hub_rules_evaluated_total',
      help: 'Rule evaluations in the rule sweeps (one per subject watched), by rule',
      labelNames: ['rule'] as const,
      registers: r,
    }),
    ruleAlerts: new Counter({
      name: 'hub_rule_alerts_opened_total',
      help: 'Alerts opened by the rules (inactivity, bed exit, flapping, …), by rule',
      labelNames: ['rule'] as const,
      registers: r,
    }),
    readingsWritten: new Counter({
      name: 'hub_readings_written_total',
      help: 'Telemetry readings committed to the readings table (each one acknowledged to its device at QoS 1)',
      registers: r,
    }),
    alertChanges: new Counter({
      name: 'hub_alert_changes_total',
      help: 'Alert changes committed, by live-feed kind',
      labelNames: ['kind'] as const,
      registers: r,
    }),
    notifications: new Counter({
      name: 'hub_notification_attempts_total',
      help: 'Notification delivery attempts, by channel and outcome (delivered, retry, failed)',
      labelNames: ['channel', 'outcome'] as const,
      registers: r,
    }),
    timeToAck: new Histogram({
      name: 'hub_alert_time_to_ack_seconds',
      help: 'From an alert opening to its first acknowledgement (social-alarm centres aim at 97.5% within 60 s)',
      labelNames: ['priority'] as const,
      buckets: [5, 10, 20, 30, 60, 90, 120, 180, 300, 600, 1800],
      registers: r,
    }),
    escalationSteps: new Counter({
      name: 'hub_escalation_steps_total',
      help: 'Escalation steps run',
      registers: r,
    }),
    liveClients: new Gauge({ name: 'hub_live_clients', help: 'Connected live-feed clients', registers: r }),
    liveDropped: new Counter({
      name: 'hub_live_dropped_total',
      help: 'Live-feed clients closed for being too slow',
      registers: r,
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>

/** Seconds since `since` (a `process.hrtime.bigint()` reading), for the histograms. */
export const secondsSince = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9
