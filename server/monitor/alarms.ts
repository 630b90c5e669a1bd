// Writes the monitor's alarms to the alert store (server/db/alerts.ts `raise`) from a worker
// thread of its own (alarmWriter.worker.ts: with SQLite every query is synchronous and may wait for
// the write lock, which must hold up neither the checks nor the server's event loop): one at a time, at most `alertsPerS` per second (token bucket, one second of burst),
// highest severity first (FIFO within a severity, so the occurrences of one code stay in order:
// a code has one severity), at most `maxPending` waiting: beyond that the oldest of the lowest
// severity is dropped and reported. A mass event (a site of devices reporting under-voltage at
// once) thus costs the database a bounded rate, and trips are recorded before warnings.
import type { AlertRecord, RaiseResult } from '../db/alerts';
import { severityRank } from '../db/alerts';
import { TokenBucket } from '../bridge/rateLimit';
import type { MonitorAlert } from './core';

export type ToWriter =
  | { type: 'alarms'; alerts: MonitorAlert[] }
  /** finish the alarm being written, close the database connection, then answer 'closed' */
  | { type: 'shutdown' };

export type FromWriter =
  | { type: 'ready' }
  /** an alarm was written (or dropped, or failed); pending = alarms still waiting or being written */
  | { type: 'alarm'; outcome: AlarmOutcome; pending: number }
  | { type: 'closed'; unwritten: number };

export interface WriterSettings {
  alertsPerS: number;
  maxPendingAlerts: number;
}

export type AlarmOutcome =
  | { result: 'created' | 'repeat' | 'rereport'; alert: AlertRecord }
  | { result: 'dropped'; input: MonitorAlert }
  | { result: 'failed'; input: MonitorAlert; error: string; code?: string };

/** FIFO with O(1) shift (an array and a head index, compacted now and then). */
export class Deque<T> {
  private a: (T | undefined)[] = [];
  private h = 0;
  get length(): number {
    return this.a.length - this.h;
  }
  push(x: T): void {
    this.a.push(x);
  }
  at(k: number): T {
    return this.a[this.h + k] as T;
  }
  shift(): T | undefined {
    if (this.h >= this.a.length) return undefined;
    const x = this.a[this.h];
    this.a[this.h++] = undefined;
    if (this.h === this.a.length) {
      this.a.length = 0;
      this.h = 0;
    } else if (this.h > 1024 && this.h * 2 > this.a.length) {
      this.a = this.a.slice(this.h);
      this.h = 0;
    }
    return x;
  }
}

export class AlarmRecorder {
  /** waiting alarms per severity rank (info .. trip) */
  private queues = [new Deque<MonitorAlert>(), new Deque<MonitorAlert>(), new Deque<MonitorAlert>(), new Deque<MonitorAlert>()];
  private waiting = 0;
  private writing = false;
  private pumping: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private bucket: TokenBucket;

  constructor(
    private opts: { alertsPerS: number; maxPending: number },
    private raise: (a: MonitorAlert) => Promise<RaiseResult>,
    private onOutcome: (o: AlarmOutcome) => void,
  ) {
    this.bucket = new TokenBucket(opts.alertsPerS, Math.max(1, opts.alertsPerS));
  }

  /** alarms waiting or being written */
  get pending(): number {
    return this.waiting + (this.writing ? 1 : 0);
  }

  add(a: MonitorAlert): void {
    if (this.closed) return;
    this.queues[severityRank(a.severity)].push(a);
    this.waiting++;
    if (this.waiting > this.opts.maxPending) {
      const q = this.queues.find((x) => x.length > 0)!;
      const lost = q.shift()!;
      this.waiting--;
      this.onOutcome({ result: 'dropped', input: lost });
    }
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  private next(): MonitorAlert | undefined {
    for (let r = this.queues.length - 1; r >= 0; r--) if (this.queues[r].length) return this.queues[r].shift();
    return undefined;
  }

  private async pump(): Promise<void> {
    while (!this.closed && this.waiting > 0) {
      const t = this.bucket.take(1);
      if (!t.ok) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.wake = null;
            resolve();
          }, t.retryAfterMs);
          this.wake = () => {
            clearTimeout(timer);
            this.wake = null;
            resolve();
          };
        });
        continue;
      }
      const a = this.next()!;
      this.waiting--;
      this.writing = true;
      let outcome: AlarmOutcome;
      try {
        const r = await this.raise(a);
        outcome = { result: r.created ? 'created' : r.counted ? 'repeat' : 'rereport', alert: r.alert };
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        outcome = { result: 'failed', input: a, error: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
      }
      this.writing = false;
      this.onOutcome(outcome);
    }
  }

  /** Stops taking alarms; finishes the one being written. Resolves with how many were left unwritten. */
  async close(): Promise<number> {
    this.closed = true;
    this.wake?.();
    await this.pumping;
    const left = this.waiting;
    this.queues.forEach((q) => {
      while (q.length) q.shift();
    });
    this.waiting = 0;
    return left;
  }
}

/**
 * The alarm writer's message handling (alarmWriter.worker.ts; in-process by inlineAlarms in tests):
 * `raise` = the alert store's; `release` closes the worker's database connection at shutdown.
 */
export function createAlarmEndpoint(
  settings: WriterSettings,
  io: { raise: (a: MonitorAlert) => Promise<RaiseResult>; reply: (m: FromWriter) => void; release?: () => Promise<void> },
): (m: ToWriter) => void {
  const recorder: AlarmRecorder = new AlarmRecorder({ alertsPerS: settings.alertsPerS, maxPending: settings.maxPendingAlerts }, io.raise, (outcome) =>
    io.reply({ type: 'alarm', outcome, pending: recorder.pending }),
  );
  return (m) => {
    if (m.type === 'alarms') for (const a of m.alerts) recorder.add(a);
    else if (m.type === 'shutdown')
      void (async () => {
        const unwritten = await recorder.close();
        await io.release?.().catch(() => {});
        io.reply({ type: 'closed', unwritten });
      })();
  };
}
