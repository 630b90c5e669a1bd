/**
 * Sensor models for the measured channels of a cell, pack or fleet (voltage, current,
 * temperature): what a BMS sees instead of the true state.
 *
 * One `SensorBank` models one kind of channel for n elements (e.g. the n cell voltages of a
 * pack). Per sample and element, in this order:
 *
 *   x = truth + bias_i + driftPerHour * t_h + noiseStd * N(0,1)   (gain error optional: * (1 + gain_i))
 *   saturate to [min, max]          (ADC range)
 *   quantize: x = round(x / quantStep) * quantStep   (mid-tread ADC, LSB = quantStep)
 *   stuck-at: from stuck.fromS on, the element(s) output a fixed value: `stuck.value`, or
 *             (when no value is given) the last output before the fault (frozen reading)
 *   dropout:  with probability dropoutProb the sample is lost: NaN (mode 'nan', the default) or
 *             the last delivered output (mode 'hold', a stale register; NaN if there is none yet)
 *
 * bias_i = bias + biasStd * N(0,1), drawn once per element at creation (manufacturing offset).
 * Drift is linear in time from t = 0 (datasheet "drift per hour" / long-term stability).
 * All randomness comes from one seeded xoshiro128** stream (sim/core/rng.ts) forked by the
 * bank's name, so the same seed, spec and inputs give the same output, and banks with different
 * names are independent. No allocation per sample: everything works on Float64Array.
 */
import { z } from 'zod';
import { Rng } from '../core/rng';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const nonNeg = finite.refine((v) => v >= 0, { message: 'must be >= 0' });

export const SensorSpecSchema = z
  .object({
    noiseStd: nonNeg.default(0).describe('standard deviation of white Gaussian noise, channel units'),
    bias: finite.default(0).describe('constant offset added to every element, channel units'),
    biasStd: nonNeg.default(0).describe('std of a per-element random offset drawn once at creation'),
    gainStd: nonNeg.default(0).describe('std of a per-element relative gain error drawn once (0.01 = 1 %)'),
    driftPerHour: finite.default(0).describe('offset growing linearly with time, channel units per hour'),
    quantStep: nonNeg.default(0).describe('ADC resolution (LSB), channel units; 0 = no quantization'),
    min: finite.optional().describe('lower end of the measuring range (output saturates)'),
    max: finite.optional().describe('upper end of the measuring range (output saturates)'),
    dropoutProb: nonNeg
      .refine((v) => v <= 1, { message: 'must be <= 1' })
      .default(0)
      .describe('probability that a sample is lost'),
    dropoutMode: z.enum(['nan', 'hold']).default('nan').describe("lost samples read NaN, or 'hold' the last output"),
    stuck: z
      .object({
        fromS: finite.describe('simulation time from which the sensor is stuck, s'),
        value: finite.optional().describe('stuck reading; default: the last reading before fromS'),
        index: z.number().int().min(0).optional().describe('element that sticks; default: all elements'),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.min !== undefined && s.max !== undefined && !(s.min < s.max))
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must be greater than min' });
  });

export type SensorSpecInput = z.input<typeof SensorSpecSchema>;
export type SensorSpec = z.output<typeof SensorSpecSchema>;

export interface SensorBank {
  readonly n: number;
  readonly spec: SensorSpec;
  readonly rng: Rng;
  /** per-element offset (bias + biasStd draw) */
  readonly offset: Float64Array;
  /** per-element gain factor (1 + gainStd draw) */
  readonly gain: Float64Array;
  /** last delivered output per element (NaN before the first sample) */
  readonly last: Float64Array;
  /** frozen reading per element once stuck (NaN while not stuck) */
  readonly stuckAt: Float64Array;
}

/** Validate a spec from outside (scenario JSON); errors carry path + message. */
export function parseSensorSpec(
  input: unknown,
): { ok: true; spec: SensorSpec } | { ok: false; issues: { path: (string | number)[]; message: string }[] } {
  const r = SensorSpecSchema.safeParse(input);
  if (r.success) return { ok: true, spec: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[],
      message: i.message,
    })),
  };
}

/**
 * Create a bank of n sensors. `seed` is the run seed; `name` (e.g. 'cell-voltage') forks an
 * independent stream so that adding another bank does not change this one's numbers.
 * Throws an Error with the path and message if the spec is invalid.
 */
export function createSensorBank(specIn: SensorSpecInput, n: number, seed: number, name = 'sensor'): SensorBank {
  const parsed = parseSensorSpec(specIn);
  if (!parsed.ok) {
    throw new Error('invalid sensor spec: ' + parsed.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const spec = parsed.spec;
  if (!Number.isInteger(n) || n < 1) throw new Error(`sensor bank size must be a positive integer, got ${n}`);
  if (spec.stuck?.index !== undefined && spec.stuck.index >= n)
    throw new Error(`stuck.index ${spec.stuck.index} is out of range for ${n} element(s)`);
  const rng = new Rng(seed).fork(`sensors:${name}`);
  // Per-element constants from their own sub-stream so noise draws do not depend on them.
  const constRng = rng.fork('constants');
  const offset = new Float64Array(n);
  const gain = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    offset[i] = spec.bias + (spec.biasStd > 0 ? constRng.normal(0, spec.biasStd) : 0);
    gain[i] = 1 + (spec.gainStd > 0 ? constRng.normal(0, spec.gainStd) : 0);
  }
  const last = new Float64Array(n).fill(NaN);
  const stuckAt = new Float64Array(n).fill(NaN);
  return { n, spec, rng, offset, gain, last, stuckAt };
}

/**
 * Sample all n sensors at simulation time `timeS` (s) from the true values `truth` into `out`
 * (both length >= n; `out` may be the same array as `truth`). No allocation.
 */
export function sampleSensors(bank: SensorBank, truth: Float64Array, timeS: number, out: Float64Array): void {
  const { n, spec, rng, offset, gain, last, stuckAt } = bank;
  const noiseStd = spec.noiseStd;
  const drift = (spec.driftPerHour * timeS) / 3600;
  const q = spec.quantStep;
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  const pDrop = spec.dropoutProb;
  const hold = spec.dropoutMode === 'hold';
  const stuck = spec.stuck;
  const stuckActive = stuck !== undefined && timeS >= stuck.fromS;
  const stuckIdx = stuck?.index ?? -1;
  for (let i = 0; i < n; i++) {
    // The noise draw happens for every element and sample (also when stuck or dropped) so the
    // random stream, hence every other element's noise, does not depend on the fault setup.
    const e = noiseStd > 0 ? noiseStd * rng.normal() : 0;
    let x: number;
    if (stuckActive && (stuckIdx < 0 || stuckIdx === i)) {
      let s = stuckAt[i];
      if (s !== s) {
        // first sample in the stuck state: freeze the given value or the last reading
        s = stuck!.value !== undefined ? stuck!.value : last[i];
        if (s !== s) s = truth[i]; // nothing delivered yet: freeze at the current true value
        stuckAt[i] = s;
      }
      x = s;
    } else {
      x = truth[i] * gain[i] + offset[i] + drift;
      x += e;
      if (x < lo) x = lo;
      else if (x > hi) x = hi;
      if (q > 0) x = Math.round(x / q) * q;
    }
    // Dropout is drawn for every element and sample too (same reason).
    if (pDrop > 0 && rng.next() < pDrop) {
      out[i] = hold ? last[i] : NaN;
      continue;
    }
    out[i] = x;
    last[i] = x;
  }
}

/** Convenience: sample a single scalar channel (element 0 of a bank of size >= 1). */
export function sampleSensor1(bank: SensorBank, truth: number, timeS: number, scratch: Float64Array): number {
  scratch[0] = truth;
  sampleSensors(bank, scratch, timeS, scratch);
  return scratch[0];
}

/**
 * Typical BMS front-end figures as starting points (channel units: V, A, degC). Sources:
 * cell-voltage ADCs of BMS monitor ICs (e.g. ADI LTC6811: 16-bit, 100 uV LSB, total measurement
 * error < 1.2 mV), Hall/shunt current sensors (~0.5-1 % of range, offset drift), NTC thermistors
 * (+-0.5..1 K, 0.1 K resolution). Treat them as typical examples, not as a specific part's datasheet.
 */
export const SENSOR_PRESETS = {
  cellVoltage: { noiseStd: 0.0005, biasStd: 0.0005, quantStep: 0.0001, min: 0, max: 5 },
  packCurrent: { noiseStd: 0.05, bias: 0, biasStd: 0.02, driftPerHour: 0.001, quantStep: 0.01 },
  cellTemperature: { noiseStd: 0.1, biasStd: 0.3, quantStep: 0.1, min: -40, max: 125 },
} satisfies Record<string, SensorSpecInput>;

// ---------------------------------------------------------------------------------------------
// BMS view of a pack: one bank per measured quantity.

/** The part of a Pack the BMS sensors read (a Pack from ./pack satisfies it). */
export interface PackSensorSource {
  fleet: { n: number; terminalV: Float64Array; tempC: Float64Array };
  groupV: Float64Array;
  packV: number;
  packCurrentA: number;
}

export interface PackSensorSpec {
  /** one voltage channel per series group (cells in parallel share it) */
  groupVoltage?: SensorSpecInput;
  /** pack current (one channel) */
  packCurrent?: SensorSpecInput;
  /** pack voltage (one channel) */
  packVoltage?: SensorSpecInput;
  /** one temperature channel per cell */
  cellTemperature?: SensorSpecInput;
}

export interface PackSensors {
  readonly groupVoltage: SensorBank;
  readonly packCurrent: SensorBank;
  readonly packVoltage: SensorBank;
  readonly cellTemperature: SensorBank;
  /** measured values of the last sample */
  readonly groupV: Float64Array;
  readonly cellTempC: Float64Array;
  packV: number;
  packCurrentA: number;
  readonly scalar: Float64Array;
}

/** Sensors for a pack; unspecified channels are ideal (exact). Seeded like createSensorBank. */
export function createPackSensors(pack: PackSensorSource, spec: PackSensorSpec, seed: number): PackSensors {
  const series = pack.groupV.length;
  const n = pack.fleet.n;
  return {
    groupVoltage: createSensorBank(spec.groupVoltage ?? {}, series, seed, 'group-voltage'),
    packCurrent: createSensorBank(spec.packCurrent ?? {}, 1, seed, 'pack-current'),
    packVoltage: createSensorBank(spec.packVoltage ?? {}, 1, seed, 'pack-voltage'),
    cellTemperature: createSensorBank(spec.cellTemperature ?? {}, n, seed, 'cell-temperature'),
    groupV: new Float64Array(series),
    cellTempC: new Float64Array(n),
    packV: 0,
    packCurrentA: 0,
    scalar: new Float64Array(1),
  };
}

/** Sample every channel from the pack's state after a step at time timeS (s). No allocation. */
export function samplePackSensors(s: PackSensors, pack: PackSensorSource, timeS: number): void {
  sampleSensors(s.groupVoltage, pack.groupV, timeS, s.groupV);
  sampleSensors(s.cellTemperature, pack.fleet.tempC, timeS, s.cellTempC);
  s.packCurrentA = sampleSensor1(s.packCurrent, pack.packCurrentA, timeS, s.scalar);
  s.packV = sampleSensor1(s.packVoltage, pack.packV, timeS, s.scalar);
}
