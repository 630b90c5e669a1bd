// The twin in lockstep with a live device (plain logic; runs in a worker via TwinImpl.worker.ts,
// and in tests directly). For every measured sample:
//   twin:  the cell model (sim/battery pack API, 1s1p) driven by the MEASURED current and ambient
//          temperature -> twin voltage / temperature / SOC (open loop: it only sees the inputs)
//   EKF:   SocEkf (Plett 2004) on the measured current, voltage and temperature -> SOC estimate
//   residual = measured voltage - twin voltage; an alarm is raised when |residual| stays above
//   `thresholdV` for `holdS` seconds (device time) and cleared when it stays below for `holdS`.
//   safety monitor: sim/safety/bmsMonitor (foxBMS 2 style warning / alarm / trip levels with
//          debounce) on the MEASURED cell voltage, temperature and current; voltage and temperature
//          levels from the cell parameter set (bmsLimitsFromCell), the current levels from the
//          device's advertised current range (its own safe range: C-rate = range / capacity).
//          Its events (and the residual alarm transitions) carry the bridge receive time `r` of
//          the sample, so the live page can report them to the fleet view's alerts.
// Initial SOC: inverted from the first voltage reading through the OCV table; during the first
// `warmupS` seconds (default 30) the twin's SOC follows the EKF's estimate (a device rarely starts
// at rest), and alarms are evaluated only after that; then the twin runs open loop.
import { createEcmFleet, ocvAt } from '../../sim/battery/ecm';
import { createPack, stepPack, type Pack } from '../../sim/battery/pack';
import type { CellParams } from '../../sim/battery/params';
import { getParamSet } from '../../sim/battery/paramSets';
import { SocEkf } from '../../sim/estimation/socEkf';
import { bmsLimitsFromCell, createBmsMonitor, stepBms, type BmsMonitor, type Severity } from '../../sim/safety/bmsMonitor';
import type { Channel } from '../../sim/protocol/bridge';

export interface TwinConfig {
  channels: Channel[];
  paramSet?: string;
  thresholdV?: number;
  holdS?: number;
  warmupS?: number;
}

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
  private p: CellParams | null = null;
  private pack: Pack | null = null;
  private ekf: SocEkf | null = null;
  private idx = { i: -1, v: -1, temp: -1, amb: -1 };
  private prevT = NaN;
  private lastI = 0;
  private lastAmb = 25;
  private lastTemp = 25;
  private thresholdV = 0.05;
  private holdS = 5;
  private warmupS = 30;
  private t0 = NaN;
  private alarm = false;
  private overSince = NaN;
  private underSince = NaN;
  private bms: BmsMonitor | null = null;
  private cellV = new Float64Array(1);
  private cellT = new Float64Array(1);
  warnings: string[] = [];

  configure(cfg: TwinConfig): { ok: true } | { ok: false; error: string } {
    const find = (kind: Channel['kind']) => cfg.channels.findIndex((c) => c.kind === kind);
    this.idx = { i: find('current'), v: find('voltage'), temp: find('temperature'), amb: find('ambient') };
    if (this.idx.i < 0 || this.idx.v < 0) return { ok: false, error: 'the device advertises no current or no voltage channel: the twin needs both' };
    this.p = getParamSet(cfg.paramSet ?? 'panasonic-ncr18650pf');
    this.thresholdV = cfg.thresholdV ?? 0.05;
    this.holdS = cfg.holdS ?? 5;
    this.warmupS = cfg.warmupS ?? 30;
    this.t0 = NaN;
    this.pack = null;
    this.ekf = null;
    this.prevT = NaN;
    this.alarm = false;
    this.overSince = NaN;
    this.underSince = NaN;
    const cap = this.p.capacityAh;
    const iRange = cfg.channels[this.idx.i].range;
    this.bms = createBmsMonitor(1, bmsLimitsFromCell(this.p, { maxDischargeC: Math.max(iRange[1], 0) / cap, maxChargeC: Math.max(-iRange[0], 0) / cap }), {
      cellTarget: () => 'cell',
      packTarget: 'device',
      // every occurrence is reported (the alerts count repeats); the log is drained per sample
      maxEventsPerCode: Number.MAX_SAFE_INTEGER,
    });
    return { ok: true };
  }

  setAlarm(thresholdV: number, holdS: number): void {
    this.thresholdV = thresholdV;
    this.holdS = holdS;
  }

  private socFromOcv(vV: number, tempC: number): number {
    const p = this.p!;
    const f = createEcmFleet(p, 1, { soc: 0.5, tempC });
    let lo = 0;
    let hi = 1;
    for (let k = 0; k < 40; k++) {
      const mid = (lo + hi) / 2;
      if (ocvAt(f, p, mid, tempC) < vV) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  /** Feeds samples (device time t in s, values in advertisement order); returns the traces. */
  process(samples: TwinSample[]): TwinFrame {
    const out: TwinFrame = { t: [], measV: [], twinV: [], residualV: [], measTempC: [], twinTempC: [], ekfSoc: [], twinSoc: [], alarm: this.alarm, events: [], safety: [] };
    const p = this.p;
    if (!p) return out;
    const { i: ii, v: vi, temp: ti, amb: ai } = this.idx;
    for (const s of samples) {
      const iA = s.v[ii] ?? this.lastI;
      const vV = s.v[vi];
      const tempC = ti >= 0 ? (s.v[ti] ?? this.lastTemp) : this.lastTemp;
      const ambC = ai >= 0 ? (s.v[ai] ?? this.lastAmb) : ti >= 0 ? tempC : this.lastAmb;
      this.lastI = iA;
      this.lastTemp = tempC;
      this.lastAmb = ambC;
      if (vV !== null && this.bms) {
        this.cellV[0] = vV;
        this.cellT[0] = tempC;
        stepBms(this.bms, { tS: s.t, cellV: this.cellV, cellTempC: this.cellT, packCurrentA: iA, minV: vV, maxV: vV, minT: tempC, maxT: tempC });
        // drained every sample: the monitor's log stays empty over a session of any length
        const ev = this.bms.events;
        for (let k = 0; k < ev.length; k++) {
          const e = ev[k];
          out.safety.push({ t: e.t_s, severity: e.severity, code: e.code, target: e.target, ...(e.value === undefined ? {} : { value: e.value }), ...(s.r === undefined ? {} : { atMs: s.r }) });
        }
        ev.length = 0;
      }
      if (!this.pack) {
        if (vV === null) continue;
        const soc0 = this.socFromOcv(vV + iA * 0.03, tempC);
        this.pack = createPack(p, { series: 1, parallel: 1 }, { soc: soc0, tempC }, 1);
        this.ekf = new SocEkf(p, { initialSoc: soc0, socStd0: 0.1 });
        this.prevT = s.t;
        this.t0 = s.t;
        continue;
      }
      const dtS = s.t - this.prevT;
      if (!(dtS > 0)) continue; // repeated or backwards timestamp
      this.prevT = s.t;
      if (dtS > 60) {
        this.warnings.push(`gap of ${dtS.toFixed(0)} s at t = ${s.t}: the twin rests through it`);
      }
      stepPack(this.pack, p, dtS > 60 ? 0 : iA, ambC, dtS);
      if (vV !== null) this.ekf!.step(iA, vV, tempC, Math.min(dtS, 60));
      const warm = s.t - this.t0 >= this.warmupS;
      if (!warm) this.pack.fleet.soc[0] = this.ekf!.soc;
      const twinV = this.pack.packV;
      const res = vV === null ? null : vV - twinV;
      out.t.push(s.t);
      out.measV.push(vV);
      out.twinV.push(twinV);
      out.residualV.push(res);
      out.measTempC.push(ti >= 0 ? s.v[ti] : null);
      out.twinTempC.push(this.pack.maxTempC);
      out.ekfSoc.push(this.ekf!.soc);
      out.twinSoc.push(this.pack.meanSoc);
      if (res !== null && warm) {
        const over = Math.abs(res) > this.thresholdV;
        if (over) {
          this.underSince = NaN;
          if (Number.isNaN(this.overSince)) this.overSince = s.t;
          if (!this.alarm && s.t - this.overSince >= this.holdS) {
            this.alarm = true;
            out.events.push({ t: s.t, kind: 'raised', residualV: res, ...(s.r === undefined ? {} : { atMs: s.r }) });
          }
        } else {
          this.overSince = NaN;
          if (Number.isNaN(this.underSince)) this.underSince = s.t;
          if (this.alarm && s.t - this.underSince >= this.holdS) {
            this.alarm = false;
            out.events.push({ t: s.t, kind: 'cleared', residualV: res, ...(s.r === undefined ? {} : { atMs: s.r }) });
          }
        }
      }
    }
    out.alarm = this.alarm;
    return out;
  }
}
