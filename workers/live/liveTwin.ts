// The twin in lockstep with a live device, one sample at a time (pure logic: no DOM, no worker or
// Node API). Used by the live page's worker (TwinImpl.ts builds the plot traces around it) and by
// the server's monitor (server/monitor: the same alarms raised without a browser), so both see
// the same events for the same samples. For every measured sample:
//   twin:  the cell model (sim/battery pack API, 1s1p) driven by the MEASURED current and ambient
//          temperature -> twin voltage / temperature / SOC (open loop: it only sees the inputs)
//   EKF:   SocEkf (Plett 2004) on the measured current, voltage and temperature -> SOC estimate
//   residual = measured voltage - twin voltage; an alarm is raised when |residual| stays above
//          `thresholdV` for `holdS` seconds (device time) and cleared when it stays below for `holdS`.
//   safety monitor: sim/safety/bmsMonitor (foxBMS 2 style warning / alarm / trip levels with
//          debounce) on the MEASURED cell voltage, temperature and current; voltage and temperature
//          levels from the cell parameter set (bmsLimitsFromCell), the current levels from the
//          device's advertised current range (its own safe range: C-rate = range / capacity).
//   Events (residual alarm transitions, safety monitor events) carry the bridge receive time `r`
//   of the sample (when known), so reports from several places name the same occurrence.
// Initial SOC: inverted from the first voltage reading through the OCV table; during the first
// `warmupS` seconds (default 30) the twin's SOC follows the EKF's estimate (a device rarely starts
// at rest), and alarms are evaluated only after that; then the twin runs open loop.
import { createEcmFleet, ocvAt, type EcmFleet } from '../../sim/battery/ecm';
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

export const TWIN_DEFAULTS = { paramSet: 'panasonic-ncr18650pf', thresholdV: 0.05, holdS: 5, warmupS: 30 } as const;

/** residual alarm transition; atMs = bridge receive time of the sample (when given) */
export interface ResidualEvent {
  t: number;
  kind: 'raised' | 'cleared';
  residualV: number;
  atMs?: number;
}

/** safety monitor event (codes as sim/safety/bmsMonitor: UV_WARN, OT_ALARM, EMERGENCY_SHUTOFF ...) */
export interface SafetyEvent {
  t: number;
  severity: Severity;
  code: string;
  target: string;
  value?: number;
  atMs?: number;
}

/**
 * One ECM fleet per parameter set for the OCV inversion of the first reading (a pure table lookup:
 * ocvAt reads the compiled tables only). Compiling a cell's tables is the bulk of a twin's start
 * (about 1.5 ms each); with a server starting a twin for each of 1,000 devices at once, it counts.
 */
const ocvFleets = new WeakMap<CellParams, EcmFleet>();

/** no reading: null (JSON samples) or NaN (typed-array samples) */
const missing = (x: number | null | undefined): x is null | undefined => x === null || x === undefined || x !== x;

export class LiveTwin {
  private p: CellParams | null = null;
  private pack: Pack | null = null;
  private ekf: SocEkf | null = null;
  /** channel index of current, voltage, cell temperature, ambient (-1: not advertised) */
  readonly index = { i: -1, v: -1, temp: -1, amb: -1 };
  private prevT = NaN;
  private lastI = 0;
  private lastAmb = 25;
  private lastTemp = 25;
  private thresholdV: number = TWIN_DEFAULTS.thresholdV;
  private holdS: number = TWIN_DEFAULTS.holdS;
  private warmupS: number = TWIN_DEFAULTS.warmupS;
  private t0 = NaN;
  private overSince = NaN;
  private underSince = NaN;
  private bms: BmsMonitor | null = null;
  private cellV = new Float64Array(1);
  private cellT = new Float64Array(1);
  /** residual alarm standing */
  alarm = false;
  /** after a step() that returned true: the twin's outputs at that sample (residualV NaN without a voltage reading) */
  twinV = NaN;
  residualV = NaN;
  twinTempC = NaN;
  ekfSoc = NaN;
  twinSoc = NaN;
  /** events since the caller last emptied these arrays (the caller drains them) */
  readonly residualEvents: ResidualEvent[] = [];
  readonly safetyEvents: SafetyEvent[] = [];
  warnings: string[] = [];

  get configured(): boolean {
    return this.p !== null;
  }

  configure(cfg: TwinConfig): { ok: true } | { ok: false; error: string } {
    const find = (kind: Channel['kind']) => cfg.channels.findIndex((c) => c.kind === kind);
    this.index.i = find('current');
    this.index.v = find('voltage');
    this.index.temp = find('temperature');
    this.index.amb = find('ambient');
    this.p = null;
    this.bms = null;
    if (this.index.i < 0 || this.index.v < 0) return { ok: false, error: 'the device advertises no current or no voltage channel: the twin needs both' };
    this.p = getParamSet(cfg.paramSet ?? TWIN_DEFAULTS.paramSet);
    this.thresholdV = cfg.thresholdV ?? TWIN_DEFAULTS.thresholdV;
    this.holdS = cfg.holdS ?? TWIN_DEFAULTS.holdS;
    this.warmupS = cfg.warmupS ?? TWIN_DEFAULTS.warmupS;
    this.t0 = NaN;
    this.pack = null;
    this.ekf = null;
    this.prevT = NaN;
    this.lastI = 0;
    this.lastAmb = 25;
    this.lastTemp = 25;
    this.alarm = false;
    this.overSince = NaN;
    this.underSince = NaN;
    this.residualEvents.length = 0;
    this.safetyEvents.length = 0;
    const cap = this.p.capacityAh;
    const iRange = cfg.channels[this.index.i].range;
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

  /** device time of the last sample the twin stepped on (NaN before the first) */
  get lastTimeS(): number {
    return this.prevT;
  }

  private socFromOcv(vV: number, tempC: number): number {
    const p = this.p!;
    let f = ocvFleets.get(p);
    if (!f) ocvFleets.set(p, (f = createEcmFleet(p, 1, { soc: 0.5, tempC: 25 })));
    let lo = 0;
    let hi = 1;
    for (let k = 0; k < 40; k++) {
      const mid = (lo + hi) / 2;
      if (ocvAt(f, p, mid, tempC) < vV) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  /**
   * One measured sample at device time `t` (s): channel k's value is row[off + k] in advertisement
   * order (null or NaN = no reading); `rMs` the bridge receive time (ms since the epoch, NaN when
   * unknown). Events go to residualEvents / safetyEvents. Returns true when the twin stepped (the
   * output fields hold this sample's values); false for the first reading (initialisation), a
   * repeated or backwards timestamp, or before configure.
   */
  step(t: number, row: ArrayLike<number | null>, off: number, rMs: number): boolean {
    const p = this.p;
    if (!p) return false;
    const { i: ii, v: vi, temp: ti, amb: ai } = this.index;
    const xi = row[off + ii];
    const xv = row[off + vi];
    const iA = missing(xi) ? this.lastI : xi;
    const vV = missing(xv) ? NaN : xv;
    const hasV = !missing(xv);
    let tempC = this.lastTemp;
    if (ti >= 0) {
      const x = row[off + ti];
      if (!missing(x)) tempC = x;
    }
    let ambC = this.lastAmb;
    if (ai >= 0) {
      const x = row[off + ai];
      if (!missing(x)) ambC = x;
    } else if (ti >= 0) ambC = tempC;
    this.lastI = iA;
    this.lastTemp = tempC;
    this.lastAmb = ambC;
    const hasR = rMs === rMs;
    if (hasV && this.bms) {
      this.cellV[0] = vV;
      this.cellT[0] = tempC;
      stepBms(this.bms, { tS: t, cellV: this.cellV, cellTempC: this.cellT, packCurrentA: iA, minV: vV, maxV: vV, minT: tempC, maxT: tempC });
      // drained every sample: the monitor's log stays empty over a session of any length
      const ev = this.bms.events;
      for (let k = 0; k < ev.length; k++) {
        const e = ev[k];
        this.safetyEvents.push({ t: e.t_s, severity: e.severity, code: e.code, target: e.target, ...(e.value === undefined ? {} : { value: e.value }), ...(hasR ? { atMs: rMs } : {}) });
      }
      ev.length = 0;
    }
    if (!this.pack) {
      if (!hasV) return false;
      const soc0 = this.socFromOcv(vV + iA * 0.03, tempC);
      this.pack = createPack(p, { series: 1, parallel: 1 }, { soc: soc0, tempC }, 1);
      // the EKF shares the twin's compiled tables (same cell, same time steps; with the rounded dt
      // below their per-dt table serves both): one compile per twin
      this.ekf = new SocEkf(p, { initialSoc: soc0, socStd0: 0.1 }, this.pack.fleet.model);
      this.prevT = t;
      this.t0 = t;
      return false;
    }
    // device time differences carry float noise (12.3 - 12.2 = 0.10000000000000142): rounded to
    // 1 us, a steady sample rate gives one dt, and the cell model's per-dt coefficient table
    // (sim/battery/ecm.ts) is built once instead of again whenever the noise repeats
    const dtS = Math.round((t - this.prevT) * 1e6) / 1e6;
    if (!(dtS > 0)) return false; // repeated or backwards timestamp
    this.prevT = t;
    if (dtS > 60) {
      this.warnings.push(`gap of ${dtS.toFixed(0)} s at t = ${t}: the twin rests through it`);
      if (this.warnings.length > 100) this.warnings.splice(0, this.warnings.length - 100);
    }
    stepPack(this.pack, p, dtS > 60 ? 0 : iA, ambC, dtS);
    if (hasV) this.ekf!.step(iA, vV, tempC, Math.min(dtS, 60));
    const warm = t - this.t0 >= this.warmupS;
    if (!warm) this.pack.fleet.soc[0] = this.ekf!.soc;
    const twinV = this.pack.packV;
    const res = hasV ? vV - twinV : NaN;
    this.twinV = twinV;
    this.residualV = res;
    this.twinTempC = this.pack.maxTempC;
    this.ekfSoc = this.ekf!.soc;
    this.twinSoc = this.pack.meanSoc;
    if (hasV && warm) {
      const over = Math.abs(res) > this.thresholdV;
      if (over) {
        this.underSince = NaN;
        if (Number.isNaN(this.overSince)) this.overSince = t;
        if (!this.alarm && t - this.overSince >= this.holdS) {
          this.alarm = true;
          this.residualEvents.push({ t, kind: 'raised', residualV: res, ...(hasR ? { atMs: rMs } : {}) });
        }
      } else {
        this.overSince = NaN;
        if (Number.isNaN(this.underSince)) this.underSince = t;
        if (this.alarm && t - this.underSince >= this.holdS) {
          this.alarm = false;
          this.residualEvents.push({ t, kind: 'cleared', residualV: res, ...(hasR ? { atMs: rMs } : {}) });
        }
      }
    }
    return true;
  }
}
