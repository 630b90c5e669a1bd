// Prometheus text exposition (format 0.0.4) for the live bridge: counters, gauges, histograms.
// One process-wide registry (`bridgeMetrics`), rendered by GET /metrics.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

type Labels = Record<string, string>;

function labelText(l: Labels | undefined): string {
  if (!l) return '';
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Counter {
  private values = new Map<string, { labels?: Labels; v: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(by = 1, labels?: Labels): void {
    const k = labelText(labels);
    const e = this.values.get(k);
    if (e) e.v += by;
    else this.values.set(k, { labels, v: by });
  }
  get(labels?: Labels): number {
    return this.values.get(labelText(labels))?.v ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, e] of this.values) lines.push(`${this.name}${k} ${e.v}`);
    return lines.join('\n');
  }
}

export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private read: () => number,
  ) {}
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`].join('\n');
  }
}

export class Histogram {
  private counts: Float64Array;
  private sum = 0;
  private n = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = new Float64Array(buckets.length);
  }
  observe(x: number): void {
    if (!Number.isFinite(x)) return;
    this.sum += x;
    this.n++;
    for (let i = 0; i < this.buckets.length; i++) if (x <= this.buckets[i]) this.counts[i]++;
  }
  get count(): number {
    return this.n;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.n}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.n}`);
    return lines.join('\n');
  }
}

/** samples per second over a sliding window of whole seconds */
export class RateMeter {
  private slots = new Float64Array(10);
  private stamps = new Float64Array(10);
  add(n: number, nowMs = Date.now()): void {
    const sec = Math.floor(nowMs / 1000);
    const k = sec % this.slots.length;
    if (this.stamps[k] !== sec) {
      this.stamps[k] = sec;
      this.slots[k] = 0;
    }
    this.slots[k] += n;
  }
  /** mean rate over the last `windowS` complete seconds */
  rate(windowS = 5, nowMs = Date.now()): number {
    const sec = Math.floor(nowMs / 1000);
    let total = 0;
    for (let d = 1; d <= windowS; d++) {
      const s = sec - d;
      const k = ((s % this.slots.length) + this.slots.length) % this.slots.length;
      if (this.stamps[k] === s) total += this.slots[k];
    }
    return total / windowS;
  }
}

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class BridgeMetrics {
  connectedDevices = 0;
  liveSubscribers = 0;
  readonly samplesRate = new RateMeter();
  readonly samples = new Counter('twinbench_bridge_samples_total', 'samples stored durably');
  readonly batches = new Counter('twinbench_bridge_batches_total', 'batches acked, by result (stored, duplicate)');
  readonly rejected = new Counter('twinbench_bridge_rejected_total', 'messages refused, by reason');
  readonly acks = new Counter('twinbench_bridge_acks_total', 'acks sent to bridges');
  readonly gaps = new Counter('twinbench_bridge_seq_gaps_total', 'batches that skipped sequence numbers');
  readonly outOfRange = new Counter('twinbench_bridge_out_of_range_total', 'readings outside the advertised channel range');
  readonly liveDropped = new Counter('twinbench_live_dropped_total', 'batches not sent to slow browsers');
  readonly liveSent = new Counter('twinbench_live_sent_total', 'batches sent to browsers');
  readonly authFailures = new Counter('twinbench_bridge_auth_failures_total', 'refused device connections');
  readonly commands = new Counter('twinbench_bridge_commands_total', 'commands, by result');
  /** bridge receive time of the newest sample in a batch to durable ack */
  readonly ingestLatency = new Histogram('twinbench_bridge_ingest_latency_seconds', 'bridge receive time to durable ack', LATENCY_BUCKETS_S);
  readonly writeLatency = new Histogram('twinbench_bridge_write_seconds', 'database write time per batch', LATENCY_BUCKETS_S);

  /** server-side monitor (server/monitor/monitor.ts): its live figures while it runs, null when off */
  monitor: (() => { devices: number; queuedSamples: number; pendingAlerts: number }) | null = null;
  readonly monitorSamples = new Counter('twinbench_monitor_samples_total', 'samples checked by the server-side monitor (twin, residual, safety limits)');
  readonly monitorDroppedBatches = new Counter('twinbench_monitor_dropped_batches_total', 'stored batches the monitor never checked: its queue was full (oldest dropped first)');
  readonly monitorDroppedSamples = new Counter('twinbench_monitor_dropped_samples_total', 'samples of the dropped batches');
  readonly monitorAlerts = new Counter('twinbench_monitor_alerts_total', 'alarms of the server-side monitor, by result (created, repeat, rereport, dropped, failed)');
  readonly monitorResets = new Counter('twinbench_monitor_twin_resets_total', 'twins started afresh because device time went back (device restart)');
  readonly monitorRestarts = new Counter('twinbench_monitor_worker_restarts_total', 'times the monitor worker died and was restarted');
  /** bridge receive time of the newest sample in a message to the worker -> checked */
  readonly monitorLag = new Histogram('twinbench_monitor_lag_seconds', 'bridge receive time to checked by the server-side monitor', LATENCY_BUCKETS_S);

  /** event-loop delay (node:perf_hooks, 10 ms sampling), reported and reset per scrape */
  private loopDelay: IntervalHistogram | null = null;

  render(): string {
    if (!this.loopDelay) {
      this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
      this.loopDelay.enable();
    }
    const ld = this.loopDelay;
    const ms = (ns: number) => (Number.isFinite(ns) && ld.count > 0 ? ns / 1e9 : 0);
    const loop = [
      '# HELP twinbench_event_loop_delay_seconds event-loop delay since the previous scrape (quantiles 0.5, 0.99 and the maximum)',
      '# TYPE twinbench_event_loop_delay_seconds gauge',
      `twinbench_event_loop_delay_seconds{quantile="0.5"} ${ms(ld.percentile(50))}`,
      `twinbench_event_loop_delay_seconds{quantile="0.99"} ${ms(ld.percentile(99))}`,
      `twinbench_event_loop_delay_seconds{quantile="1"} ${ms(ld.max)}`,
    ].join('\n');
    ld.reset();
    const parts = [
      loop,
      new Gauge('twinbench_bridge_connected_devices', 'devices connected to /bridge (this process)', () => this.connectedDevices).render(),
      new Gauge('twinbench_live_subscribers', 'browser subscriptions on /live (this process)', () => this.liveSubscribers).render(),
      new Gauge('twinbench_bridge_samples_per_second', 'stored samples per second, last 5 s', () => this.samplesRate.rate()).render(),
      this.samples.render(),
      this.batches.render(),
      this.acks.render(),
      this.rejected.render(),
      this.gaps.render(),
      this.outOfRange.render(),
      this.authFailures.render(),
      this.commands.render(),
      this.liveSent.render(),
      this.liveDropped.render(),
      this.ingestLatency.render(),
      this.writeLatency.render(),
      ...this.renderMonitor(),
    ];
    return parts.join('\n') + '\n';
  }

  private renderMonitor(): string[] {
    const m = this.monitor?.() ?? null;
    return [
      new Gauge('twinbench_monitor_enabled', 'the server-side monitor runs (TWINBENCH_MONITOR)', () => (this.monitor ? 1 : 0)).render(),
      new Gauge('twinbench_monitor_devices', 'devices with a twin in the server-side monitor', () => m?.devices ?? 0).render(),
      new Gauge('twinbench_monitor_queued_samples', 'stored samples waiting for the monitor worker', () => m?.queuedSamples ?? 0).render(),
      new Gauge('twinbench_monitor_pending_alerts', 'alarms waiting to be recorded', () => m?.pendingAlerts ?? 0).render(),
      this.monitorSamples.render(),
      this.monitorDroppedBatches.render(),
      this.monitorDroppedSamples.render(),
      this.monitorAlerts.render(),
      this.monitorResets.render(),
      this.monitorRestarts.render(),
      this.monitorLag.render(),
    ];
  }
}

export const bridgeMetrics = new BridgeMetrics();
