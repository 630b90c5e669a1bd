/**
 * BMS safety monitor (H6): cell voltage, cell temperature, pack current and off-gas limits at three
 * levels (warning / alarm / trip), separate for charge and discharge, with debounce times, an
 * emergency shutoff decision (contactors open, load removed) and an event log
 * { t_s, severity, code, target } that becomes the alarm timeline.
 *
 * Levels follow foxBMS 2 (MOL = maximum operating limit -> warning, RSL = recommended safety limit ->
 * alarm, MSL = maximum safety limit -> trip). Temperature defaults are foxBMS 2's
 * (battery_cell_cfg.h: discharge 45 / 50 / 55 degC, charge 35 / 40 / 45 degC, as quoted in
 * ../shared/reference/README.md). Voltage and current levels derive from the cell parameters
 * (vMaxV / vMinV, capacity x C-rate x parallel cells) with the same MOL < RSL < MSL ordering; the
 * offsets, low-temperature levels, gas levels and debounce times are OUR defaults (documented in
 * docs/safety-physics.md), all overridable.
 *
 * Semantics: a condition must hold continuously for the level's debounce time; the event is stamped
 * with the first sample time at which it has held that long (resolution = the caller's step). A raised level stays latched until the value comes
 * back past the limit by the clear hysteresis. Any trip (or the gas trip) opens the contactors and
 * removes the load (latched until resetBms). Cells are scanned only while the extremum is near a
 * limit or a cell is pending / latched, so a quiet step costs O(1) when the caller passes extrema
 * (O(N) otherwise, one pass).
 */

export type Severity = 'info' | 'warning' | 'alarm' | 'trip';

export interface BmsEvent {
  t_s: number;
  severity: Severity;
  code: string;
  target: string;
  /** measured value that raised it */
  value?: number;
}

/** warning / alarm / trip. For upper limits ascending, for lower limits descending. */
export interface Levels {
  warning: number;
  alarm: number;
  trip: number;
}

export interface BmsLimits {
  overVoltageV: Levels;
  underVoltageV: Levels;
  overTempDischargeC: Levels;
  overTempChargeC: Levels;
  underTempDischargeC: Levels;
  underTempChargeC: Levels;
  /** magnitudes, A (pack terminals) */
  overCurrentDischargeA: Levels;
  overCurrentChargeA: Levels;
  gasPpm: Levels;
  /** debounce per level, s */
  debounceS: Levels;
  gasDebounceS: Levels;
  hysteresis: { voltageV: number; tempK: number; currentRel: number; gasPpm: number };
  /** |I| below this is rest (discharge limits apply at rest), A */
  restCurrentA: number;
}

/** Defaults from the cell parameters (see the header for which numbers are foxBMS's and ours). */
export function bmsLimitsFromCell(
  cell: { vMinV: number; vMaxV: number; capacityAh: number },
  opts: { parallel?: number; maxDischargeC?: number; maxChargeC?: number } = {},
): BmsLimits {
  const par = opts.parallel ?? 1;
  const iD = (opts.maxDischargeC ?? 2) * cell.capacityAh * par;
  const iC = (opts.maxChargeC ?? 1) * cell.capacityAh * par;
  return {
    overVoltageV: { warning: cell.vMaxV + 0.01, alarm: cell.vMaxV + 0.03, trip: cell.vMaxV + 0.05 },
    underVoltageV: { warning: cell.vMinV - 0.01, alarm: cell.vMinV - 0.05, trip: cell.vMinV - 0.1 },
    overTempDischargeC: { warning: 45, alarm: 50, trip: 55 },
    overTempChargeC: { warning: 35, alarm: 40, trip: 45 },
    underTempDischargeC: { warning: -15, alarm: -18, trip: -20 },
    underTempChargeC: { warning: 5, alarm: 2, trip: 0 },
    overCurrentDischargeA: { warning: iD, alarm: 1.1 * iD, trip: 1.2 * iD },
    overCurrentChargeA: { warning: iC, alarm: 1.1 * iC, trip: 1.2 * iC },
    gasPpm: { warning: 10, alarm: 50, trip: 200 },
    debounceS: { warning: 2, alarm: 1, trip: 0.5 },
    gasDebounceS: { warning: 2, alarm: 2, trip: 2 },
    hysteresis: { voltageV: 0.02, tempK: 2, currentRel: 0.05, gasPpm: 5 },
    restCurrentA: 0.01 * cell.capacityAh * par,
  };
}

const LEVEL_NAMES = ['WARN', 'ALARM', 'TRIP'] as const;
const SEVERITIES: Severity[] = ['warning', 'alarm', 'trip'];

// check indices
const OV = 0;
const UV = 1;
const OT = 2;
const UT = 3;
const OC = 4;
const GAS = 5;
const BASES = ['OV', 'UV', 'OT', 'UT', 'OC', 'GAS'];

export interface BmsMonitor {
  readonly n: number;
  limits: BmsLimits;
  /** cell target names: prefix + index, e.g. 'pack/cell[12]' */
  cellTarget: (i: number) => string;
  /** temperature channels (default n: one per cell; fewer when sensors cover modules) and their targets */
  readonly nTemp: number;
  tempTarget: (i: number) => string;
  packTarget: string;
  /** per check: pending-since (NaN) and latched flags, [level * n + i] */
  pending: Float64Array[];
  latched: Uint8Array[];
  active: Int32Array;
  events: BmsEvent[];
  maxEventsPerCode: number;
  eventCount: Map<string, number>;
  /** decision outputs */
  contactorsOpen: boolean;
  loadRemoved: boolean;
  shutoffAtS: number;
  shutoffCause: string;
  /** hooks */
  gasDetectorFailed: boolean;
  /** highest level currently latched per check (-1 none) */
  state: Int8Array;
}

export function createBmsMonitor(
  n: number,
  limits: BmsLimits,
  opts: { cellTarget?: (i: number) => string; packTarget?: string; maxEventsPerCode?: number; tempChannels?: number; tempTarget?: (i: number) => string } = {},
): BmsMonitor {
  const pending: Float64Array[] = [];
  const latched: Uint8Array[] = [];
  const nTemp = opts.tempChannels ?? n;
  for (let c = 0; c < 6; c++) {
    const m = c === OT || c === UT ? nTemp : c < OC ? n : 1;
    pending.push(new Float64Array(3 * m).fill(NaN));
    latched.push(new Uint8Array(3 * m));
  }
  const cellTarget = opts.cellTarget ?? ((i: number) => `cell[${i}]`);
  return {
    n,
    limits,
    cellTarget,
    nTemp,
    tempTarget: opts.tempTarget ?? cellTarget,
    packTarget: opts.packTarget ?? 'pack',
    pending,
    latched,
    active: new Int32Array(6),
    events: [],
    maxEventsPerCode: opts.maxEventsPerCode ?? 50,
    eventCount: new Map(),
    contactorsOpen: false,
    loadRemoved: false,
    shutoffAtS: NaN,
    shutoffCause: '',
    gasDetectorFailed: false,
    state: new Int8Array(6).fill(-1),
  };
}

function raise(m: BmsMonitor, tS: number, check: number, level: number, target: string, value: number): void {
  const code = `${BASES[check]}_${LEVEL_NAMES[level]}`;
  const k = (m.eventCount.get(code) ?? 0) + 1;
  m.eventCount.set(code, k);
  if (k <= m.maxEventsPerCode) m.events.push({ t_s: tS, severity: SEVERITIES[level], code, target, value });
  else if (k === m.maxEventsPerCode + 1) m.events.push({ t_s: tS, severity: 'info', code: `${code}_MORE`, target, value });
  if (level > m.state[check]) m.state[check] = level;
  if (level === 2 && !m.contactorsOpen) {
    m.contactorsOpen = true;
    m.loadRemoved = true;
    m.shutoffAtS = tS;
    m.shutoffCause = code;
    m.events.push({ t_s: tS, severity: 'trip', code: 'EMERGENCY_SHUTOFF', target: m.packTarget, value });
  }
}

/**
 * Run one check over `len` values (stride 1). upper: value > limit is bad. lim3 holds the three
 * limits for the current mode. Returns nothing; updates pending / latched and raises events.
 */
function scan(
  m: BmsMonitor,
  check: number,
  values: Float64Array | null,
  scalar: number,
  len: number,
  upper: boolean,
  l0: number,
  l1: number,
  l2: number,
  hyst: number,
  deb: Levels,
  tS: number,
  target: ((i: number) => string) | null,
): void {
  const pend = m.pending[check];
  const lat = m.latched[check];
  let active = m.active[check];
  let top = -1;
  for (let i = 0; i < len; i++) {
    const v = values ? values[i] : scalar;
    for (let lv = 0; lv < 3; lv++) {
      const lim = lv === 0 ? l0 : lv === 1 ? l1 : l2;
      const idx = lv * len + i;
      const bad = upper ? v > lim : v < lim;
      if (lat[idx]) {
        const clear = upper ? v < lim - hyst : v > lim + hyst;
        if (clear) {
          lat[idx] = 0;
          active--;
        } else if (lv > top) top = lv;
        continue;
      }
      if (bad) {
        if (Number.isNaN(pend[idx])) {
          pend[idx] = tS;
          active++;
        }
        const d = lv === 0 ? deb.warning : lv === 1 ? deb.alarm : deb.trip;
        if (tS - pend[idx] >= d - 1e-9) {
          pend[idx] = NaN;
          lat[idx] = 1;
          if (lv > top) top = lv;
          raise(m, tS, check, lv, target ? target(i) : m.packTarget, v);
        }
      } else if (!Number.isNaN(pend[idx])) {
        pend[idx] = NaN;
        active--;
      }
    }
  }
  m.active[check] = active;
  m.state[check] = top;
}

export interface BmsInput {
  tS: number;
  cellV: Float64Array;
  cellTempC: Float64Array;
  /** pack current, A (+ = discharge) */
  packCurrentA: number;
  /** off-gas concentration at the detector, ppm (0 when no detector) */
  gasPpm?: number;
  /** extrema if the caller has them (skips a pass over the cells) */
  minV?: number;
  maxV?: number;
  minT?: number;
  maxT?: number;
}

/** Evaluate all limits at time tS. Returns true when the contactors are (now) open. */
export function stepBms(m: BmsMonitor, inp: BmsInput): boolean {
  const L = m.limits;
  const n = m.n;
  let minV = inp.minV;
  let maxV = inp.maxV;
  let minT = inp.minT;
  let maxT = inp.maxT;
  if (minV === undefined || maxV === undefined || minT === undefined || maxT === undefined) {
    let a = Infinity;
    let b = -Infinity;
    let c = Infinity;
    let d = -Infinity;
    const V = inp.cellV;
    const T = inp.cellTempC;
    for (let i = 0; i < n; i++) {
      const v = V[i];
      if (v < a) a = v;
      if (v > b) b = v;
    }
    for (let i = 0; i < m.nTemp; i++) {
      const t = T[i];
      if (t < c) c = t;
      if (t > d) d = t;
    }
    minV = a;
    maxV = b;
    minT = c;
    maxT = d;
  }
  const I = inp.packCurrentA;
  const charging = I < -L.restCurrentA;
  const t = inp.tS;
  const deb = L.debounceS;
  // cell voltage
  const ov = L.overVoltageV;
  if (maxV > ov.warning || m.active[OV] > 0) scan(m, OV, inp.cellV, 0, n, true, ov.warning, ov.alarm, ov.trip, L.hysteresis.voltageV, deb, t, m.cellTarget);
  const uv = L.underVoltageV;
  if (minV < uv.warning || m.active[UV] > 0) scan(m, UV, inp.cellV, 0, n, false, uv.warning, uv.alarm, uv.trip, L.hysteresis.voltageV, deb, t, m.cellTarget);
  // cell temperature (limits by mode)
  const ot = charging ? L.overTempChargeC : L.overTempDischargeC;
  if (maxT > ot.warning || m.active[OT] > 0) scan(m, OT, inp.cellTempC, 0, m.nTemp, true, ot.warning, ot.alarm, ot.trip, L.hysteresis.tempK, deb, t, m.tempTarget);
  const ut = charging ? L.underTempChargeC : L.underTempDischargeC;
  if (minT < ut.warning || m.active[UT] > 0) scan(m, UT, inp.cellTempC, 0, m.nTemp, false, ut.warning, ut.alarm, ut.trip, L.hysteresis.tempK, deb, t, m.tempTarget);
  // pack current
  const oc = charging ? L.overCurrentChargeA : L.overCurrentDischargeA;
  const absI = I < 0 ? -I : I;
  if (absI > oc.warning || m.active[OC] > 0) scan(m, OC, null, absI, 1, true, oc.warning, oc.alarm, oc.trip, L.hysteresis.currentRel * oc.warning, deb, t, null);
  // gas
  const g = m.gasDetectorFailed ? 0 : inp.gasPpm ?? 0;
  const gl = L.gasPpm;
  if (g > gl.warning || m.active[GAS] > 0) scan(m, GAS, null, g, 1, true, gl.warning, gl.alarm, gl.trip, L.hysteresis.gasPpm, L.gasDebounceS, t, null);
  return m.contactorsOpen;
}

/** Close the contactors again and clear the latches (operator reset). The log is kept. */
export function resetBms(m: BmsMonitor, tS: number): void {
  m.contactorsOpen = false;
  m.loadRemoved = false;
  m.shutoffAtS = NaN;
  m.shutoffCause = '';
  for (let c = 0; c < 6; c++) {
    m.pending[c].fill(NaN);
    m.latched[c].fill(0);
    m.active[c] = 0;
    m.state[c] = -1;
  }
  m.events.push({ t_s: tS, severity: 'info', code: 'BMS_RESET', target: m.packTarget });
}
