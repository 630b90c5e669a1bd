/**
 * The system engine: runs a version-2 scenario in resumable chunks (the worker reports progress
 * between chunks and can stop), recording channels, the event timeline, faults, runaway onsets and
 * evaluating criteria online.
 *
 * Time stepping. Every step has the scenario's dt, shortened so that scheduled things land exactly
 * on their time (faults "at" / "after ... + delay", the end of a "for" load step, the stop time).
 * Conditions that end something inside a step (a "when" trigger's rising edge, a load step's
 * "until", N cells in runaway) are located by bisection: the plant state is saved at the start of
 * every step; when a condition changes from false to true during the step, the step is re-taken from
 * the saved state with lengths halving the bracket 14 times (dt / 16384), and the run continues from
 * the first length at which the condition holds. So a fault fires at the crossing time to a small
 * fraction of dt, whatever dt is (tested with dt 1 s vs 0.25 s).
 *
 * Determinism: the same engine version, scenario hash and seed give bit-identical results (no
 * clock, no Math.random, no iteration over unordered maps in the physics; sensor noise is a hash of
 * (seed, sensor, time)).
 */
import type { SystemScenario } from '../scenario/system';
import type { ParsedStep } from '../scenario/steps';
import { applyParameters, type ParamValue } from '../scenario/parameters';
import { scenarioHash } from '../scenario/hash';
import { quantity } from '../scenario/units';
import { compileSystem, type SystemPlan, type CompiledFault } from './compile';
import { Plant } from './plant';
import { createSignalTable, SignalSampler, Src, type SampleExtras } from './signals';
import { bindCondition, type BoundCondition } from './conditions';
import { createCriteriaEvaluator, type CriteriaEvaluator, type RunEndStatus } from './criteria';
import { buildProfile, profileFileKey, ProfileCursor, type ProfileTexts } from './profiles';
import type { RunChannel, RunProgress, StepLogEntry } from '../engine/run';
import { ENGINE_VERSION } from '../engine/run';
import type { SystemEvent, SystemRunResult, SignalTable, RunawayEntry } from './types';

export const BISECTION_ITERATIONS = 14;
/** Events kept per run (the rest are counted in a warning). */
export const MAX_EVENTS = 20_000;

export interface SystemRunOptions {
  seed?: number;
  /** parameter overrides (the scenario's defaults otherwise) */
  params?: Record<string, ParamValue>;
  /** text of every profile file the scenario uses, by profileFileKey */
  profiles?: ProfileTexts;
}

export interface SystemRunSession {
  advance(maxSteps: number): RunProgress;
  result(): SystemRunResult;
  /** stop now (the result is marked incomplete) */
  cancel(): void;
  readonly plan: SystemPlan;
}

interface Trigger {
  fault: CompiledFault;
  /** scheduled fire time (NaN = not scheduled) */
  atS: number;
  fired: boolean;
  conds: BoundCondition[][] | null;
  /** condition state at the start of the current step */
  was: boolean;
  /** rising edge time while debouncing (NaN) */
  since: number;
}

/** The signal table, triggers and everything that is evaluated on the plant's state. */
class Session implements SystemRunSession {
  readonly plan: SystemPlan;
  private readonly plant: Plant;
  private readonly table: SignalTable;
  private readonly sampler: SignalSampler;
  /** signals that may legitimately read NaN (a sensor's dropout) */
  private readonly nanOk: Uint8Array;
  private readonly extras: SampleExtras = { siteLoadW: 0, auxW: 0 };
  private readonly triggers: Trigger[];
  private readonly criteria: CriteriaEvaluator | null;
  private readonly events: SystemEvent[] = [];
  private droppedEvents = 0;
  private readonly faultsFired: { id: string; target: string; t_s: number }[] = [];
  private readonly initiators = new Set<number>();
  /** hot-spot cells of a container that a fault started (their paths) */
  private readonly hotInitiators = new Set<string>();
  /** cells already in runawayList (a container module's cells may include a hot-spot cell) */
  private readonly runawayTargets = new Set<string>();
  private readonly runawaySeen: Uint8Array;
  private readonly runawayList: RunawayEntry[] = [];
  private runawayCount = 0;
  private t = 0;
  private ticks = 0;
  private done = false;
  private status: RunEndStatus = 'completed';
  private stoppedBy: string | undefined;
  private stopAtS: number;
  private readonly warnings: string[] = [];
  // recording
  private readonly recIdx: Int32Array;
  private recLen = 0;
  private recCap: number;
  private recTime: Float64Array;
  private recData: Float64Array[];
  private nextRecS = 0;
  private readonly statMin: Float64Array;
  private readonly statMax: Float64Array;
  // loads
  private stepPos = 0;
  private stepStartS = 0;
  private loadRepeat = 0;
  private loadStartS = 0;
  private loadDone = false;
  private readonly stepLog: StepLogEntry[] = [];
  private loadCursor: ProfileCursor | null = null;
  private siteCursor: ProfileCursor | null = null;
  private ambientCursor: ProfileCursor | null = null;
  private readonly hash: string;
  private readonly values: Record<string, ParamValue>;
  private cancelled = false;

  constructor(plan: SystemPlan, hash: string, values: Record<string, ParamValue>, profiles: ProfileTexts) {
    this.plan = plan;
    this.hash = hash;
    this.values = values;
    const p = plan;
    this.plant = new Plant(p.index, { soc: p.initSoc, tempC: p.initTempC }, p.seed, { bmsEnabled: p.bms.enabled, bmsLimits: p.bms.limits as never, bmsRates: p.bms.rates, hvac: p.hvac, coolant: p.coolant, chamber: p.chamber, hotCells: p.hotCells });
    this.plant.auxW = p.auxW;
    this.extras.auxW = p.auxW;
    this.table = createSignalTable(p.signals);
    this.sampler = new SignalSampler(p.signals);
    this.nanOk = Uint8Array.from(p.signals, (d) => (d.src === Src.SensorT ? 1 : 0));
    const prof = (ref: NonNullable<typeof p.ambient.profile>) => {
      const text = profiles.get(profileFileKey(ref));
      if (text === undefined) throw new Error(`profile ${ref.file} was not loaded`);
      return buildProfile(ref, text);
    };
    if (p.ambient.profile) {
      const pr = prof(p.ambient.profile);
      if (pr.kind !== 'temperature') throw new Error(`ambient.temperature profile ${p.ambient.profile.file}: unit must be degC or K`);
      this.ambientCursor = new ProfileCursor(pr, true);
    }
    const load = p.loads[0];
    if (load?.kind === 'profile' && load.profile) this.loadCursor = new ProfileCursor(prof(load.profile), !!load.profile.repeat);
    if (load?.kind === 'peakShave' && load.peakShave) {
      const pr = prof(load.peakShave.load);
      if (pr.kind !== 'power') throw new Error(`peakShave.load ${load.peakShave.load.file}: unit must be a power (W, kW, kWh/h)`);
      this.siteCursor = new ProfileCursor(pr, true);
    }
    this.triggers = p.faults.map((f) => {
      const tr = f.trigger;
      let conds: BoundCondition[][] | null = null;
      if (tr.kind === 'when')
        conds = tr.groups.map((g) =>
          g.map((c) => {
            const r = bindCondition(c, this.table);
            if (!r.ok) throw new Error(`faults ${f.id}: ${r.message}`);
            return r.cond;
          }),
        );
      return { fault: f, atS: tr.kind === 'at' ? tr.atS : NaN, fired: false, conds, was: false, since: NaN };
    });
    const sc = p.scenario.criteria ?? [];
    if (sc.length) {
      const r = createCriteriaEvaluator(sc.map((c) => ({ id: c.id, expect: c.expect })), { signals: this.table, faultIds: p.faults.map((f) => f.id) });
      if (!r.ok) throw new Error(`criteria: ${r.issues.map((i) => `[${i.index}] ${i.message}`).join('; ')}`);
      this.criteria = r.evaluator;
    } else this.criteria = null;
    this.runawaySeen = new Uint8Array(this.plant.units);
    this.stopAtS = p.stopS;
    // recorder
    const rec: number[] = [];
    p.signals.forEach((d, k) => d.record && rec.push(k));
    this.recIdx = Int32Array.from(rec);
    this.recCap = Math.min(Math.ceil(p.stopS / p.recordS) + 2, 1024);
    this.recTime = new Float64Array(this.recCap);
    this.recData = rec.map(() => new Float64Array(this.recCap));
    this.statMin = new Float64Array(p.signals.length).fill(Infinity);
    this.statMax = new Float64Array(p.signals.length).fill(-Infinity);
    // t = 0
    this.updateEnvironment(0);
    this.sample();
    for (const tr of this.triggers) tr.was = this.holds(tr);
    for (const tr of this.triggers) if (!tr.conds && tr.atS <= 0) this.fire(tr);
    if (this.faultsFired.length) this.sample();
    this.accumulateStats();
    this.record();
    if (load?.kind === 'steps' && load.steps.length === 0) this.loadDone = true;
    if (!load) this.loadDone = true;
  }

  cancel(): void {
    this.cancelled = true;
  }

  // ------------------------------------------------------------------ environment and load
  private updateEnvironment(tS: number): void {
    const p = this.plan;
    const pl = this.plant;
    let amb = p.ambient.tempC;
    if (this.ambientCursor) {
      const v = this.ambientCursor.at(tS);
      if (Number.isFinite(v)) amb = v;
    }
    const hourOfDay = (tS / 3600) % 24;
    // daily swing: minimum at 4:00, maximum at 16:00 (cosine)
    if (p.ambient.swingK > 0) amb += -0.5 * p.ambient.swingK * Math.cos((2 * Math.PI * (hourOfDay - 4)) / 24);
    pl.ambientC = amb;
    pl.solarWPerM2 = p.ambient.solarPeak > 0 && hourOfDay > 6 && hourOfDay < 18 ? p.ambient.solarPeak * Math.sin((Math.PI * (hourOfDay - 6)) / 12) : 0;
  }

  private currentStep(): ParsedStep | null {
    const l = this.plan.loads[0];
    if (!l || l.kind !== 'steps' || this.loadDone) return null;
    return l.steps[this.stepPos].step;
  }

  /** Requested pack current for a step of length h starting now (+ = discharge). */
  private requestedCurrent(h: number): number {
    const pl = this.plant;
    if (!pl.pack) return 0;
    let I = 0;
    let powerW = this.plan.auxW;
    const l = this.plan.loads[0];
    if (l && !this.loadDone) {
      if (l.kind === 'steps') {
        const st = l.steps[this.stepPos].step;
        const sign = st.kind === 'discharge' ? 1 : st.kind === 'charge' ? -1 : 0;
        const d = st.drive;
        if (d.type === 'current') I = sign * d.currentA;
        else if (d.type === 'crate') I = sign * d.cRate * pl.capacityAh;
        else if (d.type === 'power') powerW += sign * d.powerW;
        else if (d.type === 'voltage') return pl.currentForVoltage(d.voltageV, h);
      } else if (l.kind === 'profile' && this.loadCursor) {
        const v = this.loadCursor.at(this.t - this.loadStartS);
        const k = this.loadCursor.p.kind;
        if (Number.isFinite(v)) {
          if (k === 'current') I = v;
          else if (k === 'crate') I = v * pl.capacityAh;
          else if (k === 'power') powerW += v;
        }
      } else if (l.kind === 'peakShave' && l.peakShave && this.siteCursor) {
        const ps = l.peakShave;
        const loadW = this.siteCursor.at(this.t);
        this.extras.siteLoadW = loadW;
        const soc = pl.pack.meanSoc;
        if (loadW > ps.thresholdW && soc > ps.socMin) powerW += loadW - ps.thresholdW;
        else if (loadW < ps.thresholdW && soc < ps.socMax) powerW -= Math.min(ps.rechargeW, ps.thresholdW - loadW);
      }
    }
    if (powerW !== 0) I += pl.currentForPower(powerW, h);
    return I;
  }

  /** Has the current load step's "until" been met (after a step)? */
  private untilMet(): boolean {
    const st = this.currentStep();
    if (!st || st.until.length === 0) return false;
    const pl = this.plant;
    const v = pl.packVoltage();
    for (const c of st.until) {
      if (c.type === 'voltage') {
        if (st.kind === 'discharge' && v <= c.voltageV) return true;
        if (st.kind === 'charge' && v >= c.voltageV) return true;
        if (st.kind === 'rest' || st.kind === 'hold') {
          /* voltage ends only apply to charge / discharge */
        }
      } else {
        const lim = c.type === 'current' ? c.currentA : c.cRate * pl.capacityAh;
        if (st.kind === 'hold' && Math.abs(pl.currentA) <= lim) return true;
      }
    }
    return false;
  }

  private stepEndS(): number {
    const st = this.currentStep();
    if (!st) return Infinity;
    return st.durationS !== undefined ? this.stepStartS + st.durationS : this.stepStartS + 86400 * 7;
  }

  private nextStep(endReason: StepLogEntry['end']): void {
    const l = this.plan.loads[0];
    const cs = l.steps[this.stepPos];
    if (this.stepLog.length < 10_000)
      this.stepLog.push({ index: this.stepPos, label: `step ${this.stepPos + 1}`, text: cs.step.text, startS: this.stepStartS, endS: this.t, end: endReason });
    this.stepPos++;
    this.stepStartS = this.t;
    if (this.stepPos >= l.steps.length) {
      this.loadRepeat++;
      this.stepPos = 0;
      if (this.loadRepeat >= l.repeat) this.loadDone = true;
    }
  }

  // ------------------------------------------------------------------ conditions
  private holds(tr: Trigger): boolean {
    if (!tr.conds) return false;
    for (const g of tr.conds) {
      let all = true;
      for (const c of g) if (!c.holds()) { all = false; break; }
      if (all) return true;
    }
    return false;
  }

  private sample(): void {
    this.sampler.sample(this.plant, this.extras, this.table.values);
  }

  /** Is there a condition that could end a step early (a pending "when" trigger, a step's "until",
   * a runaway-count stop)? Without one no state needs saving. */
  private mayCross(): boolean {
    for (const tr of this.triggers) if (!tr.fired && tr.conds) return true;
    const st = this.currentStep();
    if (st && st.until.length > 0) return true;
    return this.plan.stopRunawayCells > 0 && this.stopAtS === this.plan.stopS;
  }

  /** Any condition that should end the step early changed from false to true? */
  private crossed(): boolean {
    this.sample();
    for (const tr of this.triggers) if (!tr.fired && tr.conds && !tr.was && Number.isNaN(tr.since) && this.holds(tr)) return true;
    if (this.untilMet()) return true;
    if (this.plan.stopRunawayCells > 0 && this.stopAtS === this.plan.stopS) {
      let n = 0;
      const r = this.plant.chem.runawayAtS;
      for (let i = 0; i < r.length; i++) if (!Number.isNaN(r[i])) n += this.plant.cellsPerUnit;
      const h = this.plant.hot;
      if (h) for (let j = 0; j < h.paths.length; j++) if (!Number.isNaN(h.chem.runawayAtS[j]) && Number.isNaN(r[h.module[j]])) n++;
      if (n >= this.plan.stopRunawayCells && this.runawayCount < this.plan.stopRunawayCells) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ faults
  private fire(tr: Trigger): void {
    if (tr.fired) return;
    tr.fired = true;
    const f = tr.fault;
    const pl = this.plant;
    const s = f.spec;
    const t = this.t;
    switch (f.type) {
      case 'hvac.failOff': if (pl.container) pl.container.hvacFailed = true; break;
      case 'hvac.capacity': if (pl.container) pl.container.capacityFactor = s.factor ?? 1; break;
      case 'hvac.fanFailure': if (pl.container) pl.container.fanFactor = s.factor ?? 0; break;
      case 'hvac.setpointDrift': if (pl.container) pl.container.setpointOffsetK = quantity(s.offset, 'temperatureDelta'); break;
      case 'coolant.leak': if (pl.container) pl.container.coolantFlowFactor = s.factor ?? 1; break;
      case 'coolant.chillerFailure': if (pl.container) pl.container.chillerFailed = true; break;
      case 'cell.internalShort':
        if (pl.hot) for (const j of f.hotCells) { pl.hotCellShort(j, quantity(s.resistance, 'resistance')); this.hotInitiators.add(pl.hot.paths[j]); }
        else for (const u of f.units) { pl.internalShort(u, quantity(s.resistance, 'resistance')); this.initiators.add(u); }
        break;
      case 'cell.forcedHeating': {
        const w = quantity(s.power, 'power');
        const until = s.duration !== undefined ? t + quantity(s.duration, 'time') : Infinity;
        if (pl.hot) for (const j of f.hotCells) { pl.hot.heaterW[j] = w; pl.hot.heaterUntilS[j] = until; this.hotInitiators.add(pl.hot.paths[j]); }
        else for (const u of f.units) { pl.heaterW[u] = w; pl.heaterUntilS[u] = until; this.initiators.add(u); }
        break;
      }
      case 'cell.capacityFade':
      case 'cell.resistanceRise':
        this.applyCellParamFault(f);
        break;
      case 'sensor.stuck':
        for (const m of f.modules) { pl.sensorFaults.stuck[m] = 1; pl.sensorFaults.stuckC[m] = s.value !== undefined ? quantity(s.value, 'temperature') : pl.sensorC[m]; }
        break;
      case 'sensor.offset': for (const m of f.modules) pl.sensorFaults.offsetK[m] = quantity(s.offset, 'temperatureDelta'); break;
      case 'sensor.drift': for (const m of f.modules) { pl.sensorFaults.driftKPerS[m] = quantity(s.rate, 'temperatureRate'); pl.sensorFaults.driftFromS[m] = t; } break;
      case 'sensor.noise': for (const m of f.modules) pl.sensorFaults.noiseK[m] = quantity(s.std, 'temperatureDelta'); break;
      case 'sensor.dropout': for (const m of f.modules) pl.sensorFaults.dropout[m] = s.probability ?? 0; break;
      case 'contactor.open': pl.contactorOpen = true; break;
      case 'contactor.welded': pl.contactorWelded = true; break;
      case 'busbar.highResistance': for (const m of f.modules) pl.busbarOhm[m] += quantity(s.resistance, 'resistance'); break;
      case 'gasDetector.failure': pl.gasDetectorFailed = true; break;
      case 'environment.heatWave': pl.heatWaveK = quantity(s.delta, 'temperatureDelta'); break;
    }
    this.faultsFired.push({ id: f.id, target: f.targetText, t_s: t });
    this.pushEvent({ t_s: t, severity: 'warning', code: 'FAULT', target: f.targetText, fault: f.id, message: `${f.id}: ${f.type}` });
    this.criteria?.fault(f.id, t);
    // faults triggered "after" this one
    for (const o of this.triggers)
      if (!o.fired && o.fault.trigger.kind === 'afterFault' && o.fault.trigger.ref === f.id && Number.isNaN(o.atS)) o.atS = t + o.fault.trigger.delayS;
  }

  private applyCellParamFault(f: CompiledFault): void {
    const pack = this.plant.pack;
    if (!pack) return;
    const fl = pack.fleet as unknown as Record<string, Float64Array | undefined>;
    const factor = f.spec.factor ?? 1;
    // per-cell multipliers of the fleet (capacity / R0 scale), as the pack's spread uses them
    const key = f.type === 'cell.capacityFade' ? 'capacityAh' : 'r0Scale';
    const arr = fl[key];
    if (!arr) {
      this.warnings.push(`${f.id}: ${f.type} is not supported by this cell model (no per-cell ${key})`);
      return;
    }
    for (const u of f.units) arr[u] *= factor;
  }

  private pushEvent(e: SystemEvent): void {
    if (this.events.length < MAX_EVENTS) this.events.push(e);
    else this.droppedEvents++;
    this.criteria?.event(e);
    // triggers "after event"
    for (const o of this.triggers)
      if (!o.fired && o.fault.trigger.kind === 'afterEvent' && Number.isNaN(o.atS) && codeMatches(o.fault.trigger.ref, e.code)) o.atS = e.t_s + o.fault.trigger.delayS;
    if (this.plan.stopOnTrip && e.severity === 'trip' && this.stopAtS === this.plan.stopS) {
      this.stopAtS = Math.min(this.plan.stopS, e.t_s + this.plan.stopAfterS);
      this.stoppedBy = `BMS trip ${e.code} on ${e.target} at ${e.t_s.toFixed(1)} s`;
    }
  }

  // ------------------------------------------------------------------ the loop
  advance(maxSteps: number): RunProgress {
    const p = this.plan;
    const pl = this.plant;
    let k = 0;
    while (!this.done && k < maxSteps) {
      if (this.cancelled) {
        this.done = true;
        this.status = 'error';
        this.stoppedBy = 'cancelled';
        break;
      }
      // step length: dt, shortened to land on scheduled times
      let h = p.dtS;
      const lim = (tt: number) => {
        if (tt > this.t + 1e-9 && tt - this.t < h) h = tt - this.t;
      };
      lim(this.stopAtS);
      lim(this.stepEndS());
      for (const tr of this.triggers) if (!tr.fired) { lim(tr.atS); if (!Number.isNaN(tr.since)) lim(tr.since + tr.fault.trigger.debounceS); }
      if (this.loadCursor) lim(this.loadStartS + this.loadCursor.p.endS);
      this.updateEnvironment(this.t);
      // the state is saved only when something may end inside this step (bisection)
      const bisect = this.mayCross();
      if (bisect) pl.save();
      const t0 = this.t;
      pl.step(this.requestedCurrent(h), h);
      if (bisect && this.crossed()) {
        // bisection on the step length: the first length at which a condition holds
        let lo = 0;
        let hi = h;
        for (let it = 0; it < BISECTION_ITERATIONS; it++) {
          const mid = 0.5 * (lo + hi);
          pl.restore();
          pl.step(this.requestedCurrent(mid), mid);
          if (this.crossed()) hi = mid;
          else lo = mid;
        }
        pl.restore();
        pl.step(this.requestedCurrent(hi), hi);
        this.sample();
        h = hi;
      } else if (!bisect) this.sample();
      this.t = t0 + h;
      this.ticks++;
      k++;
      this.afterStep();
    }
    const progress = Math.min(1, this.t / this.stopAtS);
    return { done: this.done, progress: this.done ? 1 : progress, simTimeS: this.t };
  }

  private afterStep(): void {
    const pl = this.plant;
    const t = this.t;
    // events raised by the plant in this step (BMS, vent, ISC, runaway, ARC)
    for (const e of pl.pending) this.pushEvent(e);
    pl.pending.length = 0;
    // runaway onsets: hot-spot cells first (a module that follows lists its other cells)
    const h = pl.hot;
    if (h) {
      const rh = h.chem.runawayAtS;
      for (let j = 0; j < rh.length; j++) {
        if (Number.isNaN(rh[j]) || this.runawayTargets.has(h.paths[j])) continue;
        this.addRunaway(h.paths[j], rh[j], h.chem.runawaySurfK[j] - 273.15, this.hotInitiators.has(h.paths[j]));
      }
    }
    const ra = pl.chem.runawayAtS;
    for (let i = 0; i < ra.length; i++) {
      if (this.runawaySeen[i] || Number.isNaN(ra[i])) continue;
      this.runawaySeen[i] = 1;
      for (const target of this.unitCells(i)) if (!this.runawayTargets.has(target)) this.addRunaway(target, ra[i], pl.chem.runawaySurfK[i] - 273.15, this.initiators.has(i));
    }
    // divergence guard and full-rate extremes, one pass
    const vals = this.table.values;
    const mn = this.statMin;
    const mx = this.statMax;
    let bad = -1;
    for (let k = 0; k < vals.length; k++) {
      const v = vals[k];
      if (v < mn[k]) mn[k] = v;
      if (v > mx[k]) mx[k] = v;
      if (v !== v && bad < 0 && !this.nanOk[k]) bad = k;
    }
    if (bad >= 0) {
      const name = this.plan.signals[bad].name;
      this.warnings.push(`the run diverged at ${t.toFixed(3)} s: ${name} is not a number`);
      this.pushEvent({ t_s: t, severity: 'info', code: 'DIVERGED', target: name.slice(0, name.lastIndexOf('.')), message: `${name} is NaN` });
      this.status = 'error';
      this.stoppedBy = `diverged at ${t.toFixed(3)} s (${name})`;
      this.done = true;
    }
    this.criteria?.step(t);
    // load steps
    if (this.currentStep()) {
      const st = this.currentStep()!;
      if (this.untilMet()) this.nextStep('voltage');
      else if (st.durationS !== undefined && t >= this.stepEndS() - 1e-9) this.nextStep('duration');
      else if (st.durationS === undefined && t >= this.stepEndS() - 1e-9) {
        this.warnings.push(`${st.text}: no end after 7 days; moved on`);
        this.nextStep('step-guard');
      }
    }
    if (this.loadCursor && !this.loadDone && t >= this.loadStartS + this.loadCursor.p.endS - 1e-9 && !this.loadCursor.repeat) {
      this.loadRepeat++;
      this.loadStartS = t;
      if (this.loadRepeat >= this.plan.loads[0].repeat) this.loadDone = true;
    }
    // triggers
    for (const tr of this.triggers) {
      if (tr.fired) continue;
      if (tr.conds) {
        const now = this.holds(tr);
        const deb = tr.fault.trigger.debounceS;
        if (now && !tr.was) {
          if (deb > 0) tr.since = t;
          else this.fire(tr);
        } else if (!now && !Number.isNaN(tr.since)) tr.since = NaN;
        if (!tr.fired && now && !Number.isNaN(tr.since) && t >= tr.since + deb - 1e-9) this.fire(tr);
        tr.was = now;
      } else if (!Number.isNaN(tr.atS) && t >= tr.atS - 1e-9) this.fire(tr);
    }
    if (this.faultsFired.length && this.faultsFired[this.faultsFired.length - 1].t_s === t) this.sample();
    // record
    if (t >= this.nextRecS - 1e-9) this.record();
    if (t >= this.stopAtS - 1e-9) {
      if (this.stopAtS < this.plan.stopS) this.status = this.status === 'error' ? 'error' : 'stopped';
      this.done = true;
      if (this.recTime[this.recLen - 1] !== t) this.record();
    }
  }

  /** Full-rate min / max of every signal (the t = 0 values included). */
  private accumulateStats(): void {
    const vals = this.table.values;
    for (let k = 0; k < vals.length; k++) {
      const v = vals[k];
      if (v < this.statMin[k]) this.statMin[k] = v;
      if (v > this.statMax[k]) this.statMax[k] = v;
    }
  }

  private addRunaway(target: string, tS: number, surfaceC: number, initiator: boolean): void {
    this.runawayTargets.add(target);
    this.runawayList.push({ target, t_s: tS, surface_C: surfaceC });
    this.runawayCount++;
    this.criteria?.runaway(target, tS, initiator);
    if (this.plan.stopRunawayCells > 0 && this.runawayCount >= this.plan.stopRunawayCells && this.stopAtS === this.plan.stopS) {
      this.stopAtS = Math.min(this.plan.stopS, tS + this.plan.stopAfterS);
      this.stoppedBy = `${this.runawayCount} cell(s) in thermal runaway at ${tS.toFixed(1)} s`;
    }
  }

  private unitCells(i: number): string[] {
    const idx = this.plan.index;
    const per = idx.cellsPerUnit;
    return idx.cellPaths.slice(i * per, (i + 1) * per);
  }

  private record(): void {
    if (this.recLen === this.recCap) {
      const cap = this.recCap * 2;
      const grow = (a: Float64Array) => {
        const b = new Float64Array(cap);
        b.set(a);
        return b;
      };
      this.recTime = grow(this.recTime);
      this.recData = this.recData.map(grow);
      this.recCap = cap;
    }
    const r = this.recLen++;
    this.recTime[r] = this.t;
    const vals = this.table.values;
    for (let k = 0; k < this.recIdx.length; k++) this.recData[k][r] = vals[this.recIdx[k]];
    this.nextRecS = Math.floor(this.t / this.plan.recordS + 1 + 1e-9) * this.plan.recordS;
  }

  result(): SystemRunResult {
    const p = this.plan;
    const n = this.recLen;
    const channels: RunChannel[] = [{ name: 'time_s', unit: 's', data: this.recTime.slice(0, n) }];
    this.recIdx.forEach((si, k) => channels.push({ name: p.signals[si].name, unit: p.signals[si].unit, data: this.recData[k].slice(0, n) }));
    const signalStats: SystemRunResult['signalStats'] = {};
    const vals = this.table.values;
    p.signals.forEach((d, k) => {
      signalStats[d.name] = { min: this.statMin[k], max: this.statMax[k], final: vals[k], unit: d.unit };
    });
    // heat map: per-unit temperatures (cells, or container modules)
    const heatSignals = p.signals.map((d, k) => ({ d, k })).filter((x) => x.d.heat && x.d.record);
    let heatmap: SystemRunResult['heatmap'];
    if (heatSignals.length) {
      const temp = new Float32Array(n * heatSignals.length);
      const col = new Map<number, Float64Array>();
      this.recIdx.forEach((si, k) => col.set(si, this.recData[k]));
      heatSignals.forEach((h, j) => {
        const data = col.get(h.k)!;
        for (let r = 0; r < n; r++) temp[r * heatSignals.length + j] = data[r];
      });
      heatmap = { targets: heatSignals.map((h) => h.d.name.slice(0, -'.temp_C'.length)), timeS: this.recTime.slice(0, n), tempC: temp };
    }
    const end: RunEndStatus = this.done ? this.status : 'error';
    const criteria = this.criteria ? this.criteria.finish(this.t, end) : [];
    const warnings = [...this.warnings];
    if (this.droppedEvents) warnings.push(`${this.droppedEvents} events beyond the first ${MAX_EVENTS} were not kept`);
    if (!this.done) warnings.push(`the run was stopped at ${this.t.toFixed(1)} s of ${this.stopAtS} s`);
    const pl = this.plant;
    const metrics: Record<string, number> = {
      cells: p.index.cellPaths.length,
      simulated_units: pl.units,
      runaway_cells: this.runawayCount,
      events: this.events.length,
      faults_fired: this.faultsFired.length,
      max_temp_C: Math.max(...Object.entries(signalStats).filter(([k]) => k.endsWith('.temp_max_C')).map(([, v]) => v.max)),
    };
    if (pl.container) metrics.hvac_electric_kWh = pl.container.electricWh / 1000;
    return {
      engineVersion: ENGINE_VERSION,
      scenarioHash: this.hash,
      seed: p.seed,
      steps: this.ticks,
      durationS: this.t,
      channels,
      metrics,
      warnings,
      name: p.scenario.name,
      stepLog: this.stepLog,
      completed: this.done && end !== 'error',
      events: this.events,
      criteria,
      runaway: this.runawayList,
      faults: this.faultsFired,
      signalStats,
      heatmap,
      parameters: this.values,
      ...(this.stoppedBy ? { stoppedBy: this.stoppedBy } : {}),
    };
  }
}

function codeMatches(pattern: string, code: string): boolean {
  if (!pattern.includes('*')) return pattern === code;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return re.test(code);
}

/**
 * Start a run of a validated version-2 scenario (as written, parameters not yet substituted).
 * Throws an Error with every problem if it does not compile (validate first for paths).
 */
export function startSystemRun(scenario: SystemScenario, opts: SystemRunOptions = {}): SystemRunSession {
  const a = applyParameters(scenario, opts.params ?? {});
  if (!a.ok) throw new Error(a.issues.map((i) => i.message).join('; '));
  const c = compileSystem(a.doc as SystemScenario, { seed: opts.seed });
  if (!c.ok) throw new Error(c.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const hash = scenarioHash(a.withOverrides as SystemScenario);
  return new Session(c.plan, hash, a.values, opts.profiles ?? new Map());
}

export function runSystemToEnd(scenario: SystemScenario, opts: SystemRunOptions = {}): SystemRunResult {
  const s = startSystemRun(scenario, opts);
  while (!s.advance(4096).done) {
    /* keep going */
  }
  return s.result();
}

/** The profile files a scenario needs (keys for SystemRunOptions.profiles): every "data:..." file
 * of the document once its parameters are substituted (no compile). */
export function profileFilesOf(scenario: SystemScenario, params: Record<string, ParamValue> = {}): string[] {
  const a = applyParameters(scenario, params);
  if (!a.ok) return [];
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const f = (v as { file?: unknown }).file;
      if (typeof f === 'string' && f.startsWith('data:')) out.add(profileFileKey({ file: f } as never));
      Object.values(v).forEach(walk);
    }
  };
  walk(a.doc);
  return [...out];
}
