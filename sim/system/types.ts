/**
 * Shared types of the system engine (scenario language version 2: assets, faults, triggers,
 * criteria) and of its run results.
 */
import type { RunResult } from '../engine/run';

export type Severity = 'info' | 'warning' | 'alarm' | 'trip';

/** One entry of the alarm / event timeline (BMS alarms, faults, runaway, vent, stop). */
export interface SystemEvent {
  t_s: number;
  severity: Severity;
  /** e.g. OT_WARN, UV_TRIP, GAS_ALARM, FAULT, RUNAWAY, VENT, ISC, STOP */
  code: string;
  /** asset path, e.g. site1/container1/rack03/module07/cell12 or site1/container1/bms */
  target: string;
  message?: string;
  /** measured value that raised it, in the unit of its signal */
  value?: number;
  /** fault id for FAULT events */
  fault?: string;
}

/**
 * The signals of a running system: names `<asset path>.<signal>` (signal names carry their unit:
 * temp_C, voltage_V, current_A, power_W, soc, ppm...), their units, and the current values
 * (updated in place after every step; read by criteria and trigger conditions).
 */
export interface SignalTable {
  readonly names: readonly string[];
  readonly units: readonly string[];
  /** current value of every signal, same order as names */
  readonly values: Float64Array;
  /** name -> index */
  readonly index: ReadonlyMap<string, number>;
}

export type CriterionOutcome = 'pass' | 'fail' | 'inconclusive';

export interface CriterionResult {
  id: string;
  text: string;
  result: CriterionOutcome;
  /** when it was decided (fail: first violation; pass: when it became certain); null if never */
  t_s: number | null;
  detail: string;
}

export interface RunawayEntry {
  target: string;
  t_s: number;
  /** surface (can) temperature at the onset, degC (the cell temperature when lumped) */
  surface_C?: number;
}

/** Per-cell (or per-module) temperature over time, for the heat map. */
export interface HeatMap {
  targets: string[];
  timeS: Float64Array;
  /** row-major [frame][target], degC */
  tempC: Float32Array;
}

export interface SystemRunExtras {
  events: SystemEvent[];
  criteria: CriterionResult[];
  runaway: RunawayEntry[];
  /** applied faults in the order they fired */
  faults: { id: string; target: string; t_s: number }[];
  /** full-rate min / max / final of every signal */
  signalStats: Record<string, { min: number; max: number; final: number; unit: string }>;
  heatmap?: HeatMap;
  /** parameter values the run used (after --param overrides) */
  parameters: Record<string, string | number>;
  /** why the run stopped early (stop condition, divergence), if it did */
  stoppedBy?: string;
}

export type SystemRunResult = RunResult & SystemRunExtras;
