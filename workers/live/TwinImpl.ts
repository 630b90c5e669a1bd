// The twin in lockstep with a live device for the live page (plain logic; runs in a worker via
// TwinImpl.worker.ts, and in tests directly): the per-sample core is LiveTwin (liveTwin.ts: cell
// twin on the measured inputs, SOC EKF, residual alarm, safety monitor; the server's monitor runs
// the same core), this class turns a batch of samples into the plot traces and the frame's events.
import type { Severity } from '../../sim/safety/bmsMonitor';
import { LiveTwin, type TwinConfig } from './liveTwin';

export type { TwinConfig } from './liveTwin';

export interface TwinFrame {
  t: number[];
  measV: (number | null)[];
  twinV: number[];
  residualV: (number | null)[];
  measTempC: (number | null)[];
  twinTempC: number[];
  ekfSoc: number[];
  twinSoc: number[];
  alarm: boolean;
  /** alarm transitions in this frame; atMs = bridge receive time of the sample (when given) */
  events: { t: number; kind: 'raised' | 'cleared'; residualV: number; atMs?: number }[];
  /** safety monitor events in this frame (codes as sim/safety/bmsMonitor: UV_WARN, OT_ALARM ...) */
  safety: { t: number; severity: Severity; code: string; target: string; value?: number; atMs?: number }[];
}

/** one measured sample: device time (s), values in advertisement order, bridge receive time (ms) */
export interface TwinSample {
  t: number;
  v: (number | null)[];
  r?: number;
}

export class TwinImpl {
  private core = new LiveTwin();

  get warnings(): string[] {
    return this.core.warnings;
  }

  configure(cfg: TwinConfig): { ok: true } | { ok: false; error: string } {
    return this.core.configure(cfg);
  }

  setAlarm(thresholdV: number, holdS: number): void {
    this.core.setAlarm(thresholdV, holdS);
  }

  /** Feeds samples (device time t in s, values in advertisement order); returns the traces. */
  process(samples: TwinSample[]): TwinFrame {
    const c = this.core;
    const out: TwinFrame = { t: [], measV: [], twinV: [], residualV: [], measTempC: [], twinTempC: [], ekfSoc: [], twinSoc: [], alarm: c.alarm, events: [], safety: [] };
    if (!c.configured) return out;
    const { v: vi, temp: ti } = c.index;
    for (const s of samples) {
      const stepped = c.step(s.t, s.v, 0, s.r ?? NaN);
      for (const e of c.safetyEvents) out.safety.push(e);
      c.safetyEvents.length = 0;
      for (const e of c.residualEvents) out.events.push(e);
      c.residualEvents.length = 0;
      if (!stepped) continue;
      const vV = s.v[vi];
      out.t.push(s.t);
      out.measV.push(vV);
      out.twinV.push(c.twinV);
      out.residualV.push(vV === null ? null : c.residualV);
      out.measTempC.push(ti >= 0 ? s.v[ti] : null);
      out.twinTempC.push(c.twinTempC);
      out.ekfSoc.push(c.ekfSoc);
      out.twinSoc.push(c.twinSoc);
    }
    out.alarm = c.alarm;
    return out;
  }
}
