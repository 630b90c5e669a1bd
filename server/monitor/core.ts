// The server-side live monitor's checks (run in a worker thread, monitor.worker.ts; in tests
// in-process through inlineChecks): one twin per device slot (workers/live/liveTwin.ts: the same cell
// twin + SOC EKF + residual alarm + BMS safety monitor the live page runs), fed with the stored
// batches as typed arrays, turning their events into alarms for the fleet view's alerts:
//   residual alarm raised           -> source 'twin',   code RESIDUAL_V, severity alarm
//   safety event (warning and up)   -> source 'safety', code as bmsMonitor (UV_WARN, OT_TRIP, ...)
// with the same codes, severities and messages as the live page (app/live/LivePage.tsx), and the
// occurrence time = the bridge receive time `r` of the sample, so an alarm reported by the page
// and by the server for the same sample is one occurrence of one alert (server/db/alerts.ts).
// A cleared residual alarm raises nothing (alerts are resolved by people). The alarms are written
// by another worker (alarms.ts / alarmWriter.worker.ts: one at a time, rate-limited, highest
// severity first): database writes (synchronous with SQLite, waiting for its write lock) never
// hold up the checks, nor the server's event loop.
// A device whose time goes back by more than 1 s (a restarted device or replay) gets a fresh twin.
//
// Wire format (main thread <-> worker, structured clone; sample data as transferred typed arrays):
//   samples: index Int32Array, 3 per item: slot, sample count, row width (= 2 + channel count);
//            data Float64Array, rows [t (device s), r (ms since epoch), v0 .. v(n-1)], NaN = null.
import type { Channel } from '../../sim/protocol/bridge';
import type { AlertSeverity } from '../../sim/protocol/fleet';
import { LiveTwin } from '../../workers/live/liveTwin';

export interface CoreSettings {
  paramSet: string;
  residualThresholdV: number;
  residualHoldS: number;
  warmupS: number;
}

/** an alarm to record (server/db/alerts.ts RaiseInput without the defaults) */
export interface MonitorAlert {
  deviceId: string;
  source: 'safety' | 'twin';
  code: string;
  severity: AlertSeverity;
  message: string;
  atMs?: number;
  deviceT: number;
  value?: number;
}

export type ToWorker =
  | { type: 'open'; slot: number; deviceId: string; channels: Channel[] }
  | { type: 'close'; slot: number }
  | { type: 'samples'; id: number; items: number; index: Int32Array; data: Float64Array };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'opened'; slot: number; deviceId: string; ok: true }
  | { type: 'opened'; slot: number; deviceId: string; ok: false; error: string }
  /** a samples message was checked; its alarms, and its buffers back for reuse */
  | { type: 'done'; id: number; samples: number; resets: number; alerts: MonitorAlert[]; index: Int32Array; data: Float64Array }
  | { type: 'failed'; error: string };

/** device time going back by more than this (s) is a restart: the twin starts afresh */
export const RESTART_BACKSTEP_S = 1;

interface Slot {
  deviceId: string;
  channels: Channel[];
  width: number;
  twin: LiveTwin;
  lastT: number;
}

const fmt3 = (x: number) => x.toFixed(3);

export class MonitorCore {
  private slots = new Map<number, Slot>();

  constructor(readonly settings: CoreSettings) {}

  get size(): number {
    return this.slots.size;
  }

  private configure(twin: LiveTwin, channels: Channel[]) {
    const s = this.settings;
    return twin.configure({ channels, paramSet: s.paramSet, thresholdV: s.residualThresholdV, holdS: s.residualHoldS, warmupS: s.warmupS });
  }

  /** A twin for a device from its advertised channels; refused when it has no current or voltage channel. */
  open(slot: number, deviceId: string, channels: Channel[]): { ok: true } | { ok: false; error: string } {
    this.slots.delete(slot);
    const twin = new LiveTwin();
    const r = this.configure(twin, channels);
    if (!r.ok) return r;
    this.slots.set(slot, { deviceId, channels, width: 2 + channels.length, twin, lastT: NaN });
    return r;
  }

  close(slot: number): void {
    this.slots.delete(slot);
  }

  /**
   * Feeds `items` items of samples (wire format above); appends the alarms to `out`. Items of an
   * unknown (closed, refused) slot or with a width that does not match the slot are skipped.
   */
  process(index: Int32Array, items: number, data: Float64Array, out: MonitorAlert[]): { samples: number; resets: number } {
    let off = 0;
    let samples = 0;
    let resets = 0;
    for (let k = 0; k < items; k++) {
      const slotId = index[3 * k];
      const n = index[3 * k + 1];
      const w = index[3 * k + 2];
      const s = this.slots.get(slotId);
      if (!s || s.width !== w) {
        off += n * w;
        continue;
      }
      const twin = s.twin;
      for (let j = 0; j < n; j++, off += w) {
        const t = data[off];
        if (t < s.lastT - RESTART_BACKSTEP_S) {
          this.configure(twin, s.channels);
          resets++;
        }
        s.lastT = t;
        twin.step(t, data, off + 2, data[off + 1]);
        if (twin.safetyEvents.length || twin.residualEvents.length) this.collect(s, out);
      }
      samples += n;
    }
    return { samples, resets };
  }

  private collect(s: Slot, out: MonitorAlert[]): void {
    const twin = s.twin;
    for (const e of twin.safetyEvents) {
      if (e.severity === 'info') continue;
      out.push({
        deviceId: s.deviceId,
        source: 'safety',
        code: e.code,
        severity: e.severity,
        message: `${e.code} on ${e.target}${e.value === undefined ? '' : `: ${fmt3(e.value)}`} (device t = ${e.t.toFixed(1)} s)`,
        ...(e.atMs === undefined ? {} : { atMs: e.atMs }),
        deviceT: e.t,
        ...(e.value === undefined ? {} : { value: e.value }),
      });
    }
    twin.safetyEvents.length = 0;
    const { residualThresholdV: thr, residualHoldS: hold } = this.settings;
    for (const e of twin.residualEvents) {
      if (e.kind !== 'raised') continue;
      out.push({
        deviceId: s.deviceId,
        source: 'twin',
        code: 'RESIDUAL_V',
        severity: 'alarm',
        message: `measured - twin voltage beyond ${Math.round(thr * 1000)} mV for ${hold} s (${(e.residualV * 1000).toFixed(0)} mV at device t = ${e.t.toFixed(1)} s)`,
        ...(e.atMs === undefined ? {} : { atMs: e.atMs }),
        deviceT: e.t,
        value: e.residualV,
      });
    }
    twin.residualEvents.length = 0;
  }
}

/** The checks worker's message handling (monitor.worker.ts; in-process by inlineChecks in tests). */
export function createMonitorEndpoint(settings: CoreSettings, reply: (m: FromWorker, transfer?: ArrayBuffer[]) => void): (m: ToWorker) => void {
  const core = new MonitorCore(settings);
  return (m) => {
    try {
      if (m.type === 'open') {
        const r = core.open(m.slot, m.deviceId, m.channels);
        reply(r.ok ? { type: 'opened', slot: m.slot, deviceId: m.deviceId, ok: true } : { type: 'opened', slot: m.slot, deviceId: m.deviceId, ok: false, error: r.error });
      } else if (m.type === 'close') {
        core.close(m.slot);
      } else if (m.type === 'samples') {
        const alerts: MonitorAlert[] = [];
        const r = core.process(m.index, m.items, m.data, alerts);
        reply({ type: 'done', id: m.id, samples: r.samples, resets: r.resets, alerts, index: m.index, data: m.data }, [
          m.index.buffer as ArrayBuffer,
          m.data.buffer as ArrayBuffer,
        ]);
      }
    } catch (err) {
      reply({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  };
}
