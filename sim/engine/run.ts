/**
 * The engine: runs a compiled scenario on a pack, in resumable chunks, recording channels into
 * growing Float64Arrays and summing metrics.
 *
 * Step modes (current is + on discharge):
 *   Rest                      I = 0
 *   Discharge/Charge at A|C   I = +-value (C-rate x pack capacity = parallel x cell capacity)
 *   Discharge/Charge at W     I = packCurrentForPower(+-P, h), solved for the end of each step
 *   Hold at V                 I = packCurrentForVoltage(V, h)
 *
 * Ending a step. "for" durations end exactly (the last time step is shortened). "until <V>"
 * (pack voltage) and the safety cut-offs (any cell below vMinV on discharge / above vMaxV on
 * charge; CC and CP steps) are located inside the time step in which they happen: the step is
 * re-taken from its saved start state with a length h found by the Illinois variant of regula
 * falsi on g(h) = distance to the nearest condition, until h is known to 1e-9 of the time step
 * or |g| < 1e-9 V; the recorded end is the first h with g <= 0. So "until 2.5 V" ends at
 * 2.5 V to ~1e-9 V whatever dt is. A Hold step's "until <A|C/N>" is located the same way on
 * |I(h)| (the current that holds V at the end of a step of length h), without re-stepping.
 * A condition already met when a step starts ends it at once (no sample; a warning).
 * Guards: a step with no "for" stops after limits.maxStepDurationS; the run stops at
 * limits.maxDurationS; a non-finite voltage stops the run. Each adds a warning.
 *
 * Recording: one sample at t = 0 (the initial, open-circuit state) and one at the end of every
 * time step. current_A is the (constant) current during the step that ends at that sample.
 * Pack-level channels: voltage_V = pack terminal voltage, soc = capacity-weighted mean cell SOC,
 * temp_C = mean cell temperature; packs (more than one cell) add cell_v_min_V, cell_v_max_V,
 * cell_temp_max_C. Ah and Wh: exact Ah for the constant current of each step, Wh by the
 * trapezoid rule on the voltage of the step's start and end.
 */
import type { Scenario } from '../scenario/schema';
import type { AnyScenario } from '../scenario/validate';
import { compile, type Plan, type PlanStep } from './compile';
import { createPackDriver, type PackDriver, type CellStats } from './driver';

/** Bump when results for the same scenario + seed may change. */
export const ENGINE_VERSION = '0.1.0';

export interface RunProgress {
  done: boolean;
  /** 0..1, monotone (an estimate while steps end on conditions). */
  progress: number;
  simTimeS: number;
}

export interface RunChannel {
  name: string;
  unit: string;
  data: Float64Array;
}

export type StepEndReason =
  | 'duration'
  | 'voltage'
  | 'current'
  | 'safety-vmin'
  | 'safety-vmax'
  | 'safety-soc'
  | 'immediate'
  | 'step-guard'
  | 'run-guard'
  | 'error'
  | 'incomplete';

export interface StepLogEntry {
  /** Position in the expanded sequence (= step_index channel value). */
  index: number;
  /** "step 3" / "step 2.1". */
  label: string;
  text: string;
  startS: number;
  endS: number;
  end: StepEndReason;
}

export interface RunResult {
  engineVersion: string;
  scenarioHash: string;
  seed: number;
  /** Time steps taken (samples recorded after t = 0). */
  steps: number;
  durationS: number;
  /** First channel is time_s. */
  channels: RunChannel[];
  metrics: Record<string, number>;
  warnings: string[];
  /** Extension: scenario name and one entry per experiment step run. */
  name: string;
  stepLog: StepLogEntry[];
  completed: boolean;
}

export interface RunSession {
  advance(maxSteps: number): RunProgress;
  result(): RunResult;
  readonly plan: Plan;
}

const MODE_REST = 0, MODE_CC = 1, MODE_CP = 2, MODE_CV = 3;
const ROOT_TOL_V = 1e-9;
const ROOT_TOL_REL_H = 1e-9;
/** Safety cut-offs allow this much beyond the cell limit before they count (float noise). */
const SAFETY_SLACK_V = 1e-6;
/** Any step stops when a cell's SOC leaves [-SOC_SLACK, 1 + SOC_SLACK] (e.g. a Hold above the OCV table). */
const SOC_SLACK = 0.05;
/** RunResult.stepLog keeps at most this many entries. */
export const MAX_STEP_LOG = 100_000;

interface Active {
  pos: number;
  ps: PlanStep;
  mode: number;
  /** +1 discharge, -1 charge, 0 rest/hold */
  sign: number;
  currentA: number;
  powerW: number;
  holdV: number;
  dtS: number;
  /** max duration: the "for" value, or the step guard */
  limitS: number;
  limitIsFor: boolean;
  /** voltage threshold (NaN if none): discharge ends when V <= vUntil, charge when V >= vUntil */
  vUntil: number;
  /** current threshold, A (NaN if none) */
  iUntil: number;
  startS: number;
  /** time steps taken in this step */
  k: number;
  /** full-length (dtS) time steps taken, and the sum of shorter ones: elapsed = fullK * dtS + partialS */
  fullK: number;
  partialS: number;
  /** steps since the last saved state check (for deciding when to save) */
  lastG: number;
  lastDg: number;
  firstTick: boolean;
}

class Recorder {
  len = 0;
  cap: number;
  data: Float64Array[];
  constructor(readonly names: string[], readonly units: string[], initialCap: number) {
    this.cap = Math.max(16, initialCap);
    this.data = names.map(() => new Float64Array(this.cap));
  }
  grow(): void {
    this.cap *= 2;
    this.data = this.data.map((d) => {
      const n = new Float64Array(this.cap);
      n.set(d);
      return n;
    });
  }
  channels(): RunChannel[] {
    return this.names.map((name, i) => ({ name, unit: this.units[i], data: this.data[i].slice(0, this.len) }));
  }
}

class Warnings {
  private map = new Map<string, { msg: string; count: number }>();
  add(key: string, msg: string): void {
    const w = this.map.get(key);
    if (w) w.count++;
    else this.map.set(key, { msg, count: 1 });
  }
  list(): string[] {
    return [...this.map.values()].map((w) => (w.count > 1 ? `${w.msg} (and ${w.count - 1} more like it)` : w.msg));
  }
}

function fmtV(v: number): string {
  return String(Number(v.toPrecision(6)));
}

class Session implements RunSession {
  readonly plan: Plan;
  private drv: PackDriver;
  private rec: Recorder;
  private st: CellStats = { vMinV: 0, vMaxV: 0, tempMaxC: 0, tempMeanC: 0, socMean: 0, socMin: 0, socMax: 0 };
  private isPack: boolean;
  private ambientC: number;
  private vMinCell: number;
  private vMaxCell: number;
  private maxDurationS: number;
  private maxStepS: number;

  private t = 0;
  private pos = 0;
  private active: Active | null = null;
  private done = false;
  private stopped = false;
  private ticks = 0;
  private progress = 0;
  private estDone = 0;
  private warn = new Warnings();
  private log: { index: number; startS: number; endS: number; end: StepEndReason }[] = [];

  // metrics accumulators
  private ahDis = 0;
  private ahChg = 0;
  private whDis = 0;
  private whChg = 0;
  private vMin = Infinity;
  private vMax = -Infinity;
  private cellVMin = Infinity;
  private cellVMax = -Infinity;
  private tMax = -Infinity;
  private iMaxDis = 0;
  private iMaxChg = 0;
  private stepsCompleted = 0;
  private socTrip = false;

  constructor(scenario: Scenario, opts: { seed?: number }) {
    this.plan = compile(scenario, opts);
    const r = this.plan.resolved;
    this.drv = createPackDriver(r.params, r.pack, { soc: r.initial.soc, tempC: r.initial.tempC, rcPairs: r.rcPairs }, this.plan.seed);
    this.isPack = this.drv.cells > 1;
    this.ambientC = r.ambient.tempC;
    this.vMinCell = r.params.vMinV;
    this.vMaxCell = r.params.vMaxV;
    this.maxDurationS = r.limits.maxDurationS;
    this.maxStepS = r.limits.maxStepDurationS;
    const names = ['time_s', 'current_A', 'voltage_V', 'soc', 'temp_C'];
    const units = ['s', 'A', 'V', '1', 'degC'];
    if (this.isPack) {
      names.push('cell_v_min_V', 'cell_v_max_V', 'cell_temp_max_C');
      units.push('V', 'V', 'degC');
    }
    names.push('step_index');
    units.push('1');
    let est = 1;
    for (const s of this.plan.sequence) est += Math.ceil(this.plan.steps[s].estDurationS / this.plan.steps[s].dtS);
    const budget = Math.floor(4_000_000 / names.length);
    this.rec = new Recorder(names, units, Math.min(est + 16, budget));
    this.record(0, 0);
  }

  private record(currentA: number, stepIndex: number): void {
    const drv = this.drv;
    const st = drv.stats(this.st);
    const v = drv.voltage();
    const rec = this.rec;
    if (rec.len === rec.cap) rec.grow();
    const d = rec.data;
    const i = rec.len++;
    d[0][i] = this.t;
    d[1][i] = currentA;
    d[2][i] = v;
    d[3][i] = st.socMean;
    d[4][i] = st.tempMeanC;
    let c = 5;
    if (this.isPack) {
      d[5][i] = st.vMinV;
      d[6][i] = st.vMaxV;
      d[7][i] = st.tempMaxC;
      c = 8;
    }
    d[c][i] = stepIndex;
    if (v < this.vMin) this.vMin = v;
    if (v > this.vMax) this.vMax = v;
    if (st.vMinV < this.cellVMin) this.cellVMin = st.vMinV;
    if (st.vMaxV > this.cellVMax) this.cellVMax = st.vMaxV;
    if (st.tempMaxC > this.tMax) this.tMax = st.tempMaxC;
    if (!Number.isFinite(v) || !Number.isFinite(st.socMean) || !Number.isFinite(st.tempMaxC)) {
      const what = !Number.isFinite(v) ? 'voltage' : !Number.isFinite(st.socMean) ? 'SOC' : 'temperature';
      this.warn.add('nan', `run stopped at t = ${fmtV(this.t)} s: ${what} is not a finite number`);
      this.stopped = true;
    }
  }

  private begin(pos: number): Active {
    const ps = this.plan.steps[this.plan.sequence[pos]];
    const s = ps.step;
    const capAh = this.drv.capacityAh;
    const sign = s.kind === 'discharge' ? 1 : s.kind === 'charge' ? -1 : 0;
    let mode = MODE_REST, currentA = 0, powerW = 0, holdV = 0;
    const d = s.drive;
    if (d.type === 'current') { mode = MODE_CC; currentA = sign * d.currentA; }
    else if (d.type === 'crate') { mode = MODE_CC; currentA = sign * d.cRate * capAh; }
    else if (d.type === 'power') { mode = MODE_CP; powerW = sign * d.powerW; }
    else if (d.type === 'voltage') { mode = MODE_CV; holdV = d.voltageV; }
    let vUntil = NaN, iUntil = NaN;
    for (const c of s.until) {
      if (c.type === 'voltage') vUntil = Number.isNaN(vUntil) ? c.voltageV : sign > 0 ? Math.max(vUntil, c.voltageV) : Math.min(vUntil, c.voltageV);
      else {
        const a = c.type === 'current' ? c.currentA : c.cRate * capAh;
        iUntil = Number.isNaN(iUntil) ? a : Math.max(iUntil, a);
      }
    }
    const limitIsFor = s.durationS !== undefined;
    return {
      pos, ps, mode, sign, currentA, powerW, holdV, dtS: ps.dtS,
      limitS: limitIsFor ? s.durationS! : this.maxStepS,
      limitIsFor, vUntil, iUntil, startS: this.t, k: 0, fullK: 0, partialS: 0,
      lastG: Infinity, lastDg: 0, firstTick: true,
    };
  }

  private end(a: Active, reason: StepEndReason): void {
    if (this.log.length < MAX_STEP_LOG) this.log.push({ index: a.pos, startS: a.startS, endS: this.t, end: reason });
    else this.warn.add('steplog', `the step log keeps the first ${MAX_STEP_LOG} experiment steps only`);
    const label = `${a.ps.label} ("${a.ps.step.text}")`;
    if (reason === 'immediate') this.warn.add(`imm:${a.ps.id}`, `${label} ended at once: its end condition already held at t = ${fmtV(this.t)} s`);
    else if (reason === 'safety-vmin') this.warn.add(`vmin:${a.ps.id}`, `${label} stopped at the cell minimum voltage ${fmtV(this.vMinCell)} V (safety cut-off) at t = ${fmtV(this.t)} s`);
    else if (reason === 'safety-vmax') this.warn.add(`vmax:${a.ps.id}`, `${label} stopped at the cell maximum voltage ${fmtV(this.vMaxCell)} V (safety cut-off) at t = ${fmtV(this.t)} s`);
    else if (reason === 'safety-soc') this.warn.add(`soc:${a.ps.id}`, `${label} stopped because a cell's SOC left [${-SOC_SLACK}, ${1 + SOC_SLACK}] at t = ${fmtV(this.t)} s (the parameter set's OCV may not reach the step's voltage)`);
    else if (reason === 'step-guard') this.warn.add(`guard:${a.ps.id}`, `${label} did not reach its end condition within limits.maxStepDurationS = ${fmtV(this.maxStepS)} s and was stopped`);
    if (reason !== 'incomplete') this.stepsCompleted++;
    this.estDone += a.ps.estDurationS;
    this.active = null;
  }

  /** Distance to the nearest voltage end condition (> 0: not reached) and which one. */
  private dist(a: Active): { g: number; reason: StepEndReason } {
    const st = this.drv.stats(this.st);
    const v = this.drv.voltage();
    let g = Infinity;
    let reason: StepEndReason = 'voltage';
    if (a.sign > 0) {
      if (!Number.isNaN(a.vUntil)) g = v - a.vUntil;
      const gs = st.vMinV - this.vMinCell + SAFETY_SLACK_V;
      if (gs < g - 1e-12) { g = gs; reason = 'safety-vmin'; }
    } else if (a.sign < 0) {
      if (!Number.isNaN(a.vUntil)) g = a.vUntil - v;
      const gs = this.vMaxCell - st.vMaxV + SAFETY_SLACK_V;
      if (gs < g - 1e-12) { g = gs; reason = 'safety-vmax'; }
    }
    if (Number.isNaN(g)) g = -Infinity; // NaN voltage: stop here
    return { g, reason };
  }

  private currentFor(a: Active, h: number): number {
    if (a.mode === MODE_CC) return a.currentA;
    if (a.mode === MODE_CP) return this.drv.currentForPower(a.powerW, h);
    if (a.mode === MODE_CV) return this.drv.currentForVoltage(a.holdV, h);
    return 0;
  }

  /** One time step of the active step (or its end). */
  private tick(): void {
    const a = this.active!;
    const elapsed = a.fullK * a.dtS + a.partialS;
    let h = Math.min(a.dtS, a.limitS - elapsed, this.maxDurationS - this.t);
    if (!(h > 1e-9 * a.dtS)) {
      if (this.maxDurationS - this.t <= 1e-9 * a.dtS) {
        this.warn.add('run-guard', `run stopped at limits.maxDurationS = ${fmtV(this.maxDurationS)} s`);
        this.end(a, 'run-guard');
        this.stopped = true;
      } else this.end(a, a.limitIsFor ? 'duration' : 'step-guard');
      return;
    }
    // Snap to the grid: the end of a "for" step lands exactly on startS + durationS.
    const snapEnd = a.limitS - elapsed - h <= 1e-9 * a.dtS;
    const vStart = this.drv.voltage();

    if (a.mode === MODE_CV) {
      let I = this.currentFor(a, h);
      if (!Number.isNaN(a.iUntil) && Math.abs(I) <= a.iUntil) {
        // Locate |I(h*)| = iUntil in (0, h].
        const hTiny = h * 1e-6;
        const f = (x: number) => Math.abs(this.currentFor(a, x)) - a.iUntil;
        if (f(hTiny) <= 0) { this.end(a, 'immediate'); return; }
        const hs = this.root(f, hTiny, f(hTiny), h, Math.abs(I) - a.iUntil, 1e-9 * Math.max(a.iUntil, 1e-3));
        I = this.currentFor(a, hs);
        this.commitAt(a, I, hs, vStart);
        this.end(a, 'current');
        return;
      }
      this.commitAt(a, I, h, vStart, snapEnd);
      return;
    }

    if (a.mode === MODE_REST) {
      this.commitAt(a, 0, h, vStart, snapEnd);
      return;
    }

    // CC / CP with voltage conditions and safety cut-offs.
    if (a.firstTick) {
      a.firstTick = false;
      const g0 = this.dist(a).g;
      if (g0 <= 0) { this.end(a, 'immediate'); return; }
      a.lastG = g0;
    }
    // Save the state only when the condition could be reached in this step (|dg| per step is
    // smooth; the first step of a mode change always saves because of the ohmic jump).
    const mustSave = a.k === 0 || a.lastG <= 4 * Math.abs(a.lastDg) + 1e-3;
    if (mustSave) this.drv.save();
    let I = this.currentFor(a, h);
    this.drv.step(I, this.ambientC, h);
    const { g, reason } = this.dist(a);
    if (g > 0) {
      // Not reached: keep the step (undo the trial-free path by committing the bookkeeping).
      a.lastDg = g - a.lastG;
      a.lastG = g;
      this.afterStep(a, I, h, vStart, snapEnd);
      return;
    }
    if (!mustSave) {
      // Crossed without a saved state (should be rare): end at the end of this time step.
      this.afterStep(a, I, h, vStart, snapEnd);
      this.end(a, reason);
      return;
    }
    // Locate the crossing: g(x) on the saved start state. The state of the best x (smallest
    // with g <= 0) is kept in slot 1, so the recorded sample is exactly the evaluated one.
    const hTiny = h * 1e-6;
    this.drv.save(1);
    let bestX = h;
    let bestI = I;
    const gAt = (x: number) => {
      this.drv.restore(0);
      const Ix = this.currentFor(a, x);
      this.drv.step(Ix, this.ambientC, x);
      const gx = this.dist(a).g;
      if (gx <= 0 && x < bestX) {
        bestX = x;
        bestI = Ix;
        this.drv.save(1);
      }
      return gx;
    };
    const gTiny = gAt(hTiny);
    if (gTiny <= 0) {
      // Reached at the very start of this time step: end without stepping.
      this.drv.restore(0);
      this.end(a, a.k === 0 ? 'immediate' : reason);
      return;
    }
    this.root(gAt, hTiny, gTiny, h, g, ROOT_TOL_V);
    this.drv.restore(1);
    const fin = this.dist(a);
    this.afterStep(a, bestI, bestX, vStart, false);
    this.end(a, fin.g <= 0 ? fin.reason : reason);
  }

  /**
   * Find x in (lo, hi] with f(x) <= 0 and f near 0 (f(lo) > 0 >= f(hi)), Illinois regula falsi.
   * Returns the smallest evaluated x with f(x) <= 0.
   */
  private root(f: (x: number) => number, lo: number, flo: number, hi: number, fhi: number, tolF: number): number {
    let side = 0;
    const tolX = ROOT_TOL_REL_H * hi;
    for (let it = 0; it < 100; it++) {
      if (hi - lo <= tolX || -fhi <= tolF) break;
      let x = (lo * fhi - hi * flo) / (fhi - flo);
      if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
      const fx = f(x);
      if (fx <= 0) {
        hi = x; fhi = fx;
        if (side === -1) flo *= 0.5;
        side = -1;
      } else {
        lo = x; flo = fx;
        if (side === 1) fhi *= 0.5;
        side = 1;
      }
    }
    return hi;
  }

  /** Step with (I, h) from the current state and book it. */
  private commitAt(a: Active, I: number, h: number, vStart: number, snapEnd = false): void {
    this.drv.step(I, this.ambientC, h);
    this.afterStep(a, I, h, vStart, snapEnd);
  }

  /** Bookkeeping after the pack has been stepped by h with current I. */
  private afterStep(a: Active, I: number, h: number, vStart: number, snapEnd: boolean): void {
    a.k++;
    if (snapEnd) {
      a.partialS = a.limitS - a.fullK * a.dtS;
    } else if (h === a.dtS) a.fullK++;
    else a.partialS += h;
    this.t = a.startS + (a.fullK * a.dtS + a.partialS);
    const vEnd = this.drv.voltage();
    const ah = (I * h) / 3600;
    const wh = (I * 0.5 * (vStart + vEnd) * h) / 3600;
    if (I > 0) { this.ahDis += ah; this.whDis += wh; if (I > this.iMaxDis) this.iMaxDis = I; }
    else if (I < 0) { this.ahChg -= ah; this.whChg -= wh; if (-I > this.iMaxChg) this.iMaxChg = -I; }
    this.ticks++;
    this.record(I, a.pos);
    const st = this.st; // filled by record()
    if (st.socMax > 1 + SOC_SLACK || st.socMin < -SOC_SLACK) this.socTrip = true;
  }

  advance(maxSteps: number): RunProgress {
    const budget = Math.max(1, Math.floor(maxSteps));
    const seqLen = this.plan.sequence.length;
    let used = 0;
    while (!this.done && used < budget) {
      if (this.stopped) {
        if (this.active) this.end(this.active, 'error');
        this.done = true;
        break;
      }
      if (!this.active) {
        if (this.pos >= seqLen) { this.done = true; break; }
        this.active = this.begin(this.pos++);
      }
      const before = this.ticks;
      this.tick();
      if (this.socTrip) {
        this.socTrip = false;
        if (this.active) this.end(this.active, 'safety-soc');
      }
      used += Math.max(1, this.ticks - before);
      if (this.stopped && this.active) this.end(this.active, 'error');
      if (this.stopped) this.done = true;
    }
    if (this.done && this.active) this.end(this.active, 'incomplete');
    let p: number;
    if (this.done) p = 1;
    else {
      const a = this.active;
      const inStep = a ? Math.min(this.t - a.startS, a.ps.estDurationS) : 0;
      p = Math.min(0.999, (this.estDone + inStep) / Math.max(this.plan.estTotalS, 1e-9));
    }
    if (p > this.progress) this.progress = p;
    return { done: this.done, progress: this.progress, simTimeS: this.t };
  }

  result(): RunResult {
    const drv = this.drv;
    const st = drv.stats(this.st);
    const warnings = this.warn.list();
    for (const w of drv.warnings()) warnings.push(w);
    if (!this.done) warnings.push(`run incomplete: stopped by the caller at t = ${fmtV(this.t)} s`);
    const seqLen = this.plan.sequence.length;
    const metrics: Record<string, number> = {
      duration_s: this.t,
      steps: this.ticks,
      experiment_steps: this.stepsCompleted,
      experiment_steps_planned: seqLen,
      discharged_Ah: this.ahDis,
      charged_Ah: this.ahChg,
      discharged_Wh: this.whDis,
      charged_Wh: this.whChg,
      min_voltage_V: this.vMin,
      max_voltage_V: this.vMax,
      min_cell_voltage_V: this.cellVMin,
      max_cell_voltage_V: this.cellVMax,
      max_discharge_current_A: this.iMaxDis,
      max_charge_current_A: this.iMaxChg,
      max_temp_C: this.tMax,
      final_voltage_V: drv.voltage(),
      final_soc: st.socMean,
      final_temp_C: st.tempMeanC,
      cells: drv.cells,
    };
    const steps = this.plan.steps;
    const seq = this.plan.sequence;
    const stepLog: StepLogEntry[] = this.log.map((e) => {
      const ps = steps[seq[e.index]];
      return { index: e.index, label: ps.label, text: ps.step.text, startS: e.startS, endS: e.endS, end: e.end };
    });
    return {
      engineVersion: ENGINE_VERSION,
      scenarioHash: this.plan.scenarioHash,
      seed: this.plan.seed,
      steps: this.ticks,
      durationS: this.t,
      channels: this.rec.channels(),
      metrics,
      warnings,
      name: this.plan.resolved.name,
      stepLog,
      completed: this.done && !this.stopped,
    };
  }
}

/** Start a run of a validated scenario. opts.seed overrides scenario.seed (default 1). */
export function startRun(scenario: AnyScenario, opts: { seed?: number } = {}): RunSession {
  if ((scenario as { version?: unknown }).version === 2) throw new Error('a version-2 scenario runs with startSystemRun (sim/system/run.ts)');
  return new Session(scenario as Scenario, opts);
}

/** Run to the end in one call (CLI, tests, bench). */
export function runToEnd(scenario: AnyScenario, opts: { seed?: number } = {}): RunResult {
  const s = startRun(scenario, opts);
  while (!s.advance(1 << 16).done) {
    /* keep going */
  }
  return s.result();
}
