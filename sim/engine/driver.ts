/**
 * The engine's view of the battery: a pack with a pack current, a pack voltage, the current
 * needed for a target voltage or power, per-cell extremes, and save/restore of its state.
 * Backed by the pack API (sim/battery/pack.ts); a single cell is a 1s1p pack.
 */
import type { CellParams } from '../battery/params';
import type { EcmFleet } from '../battery/ecm';
import { fleetWarnings } from '../battery/ecm';
import { createPack, stepPack, packCurrentForVoltage, packCurrentForPower, type Pack, type PackSpec } from '../battery/pack';
import { StateSnapshot } from './snapshot';

export type PackSpecLike = PackSpec;

export interface CellStats {
  vMinV: number;
  vMaxV: number;
  tempMaxC: number;
  tempMeanC: number;
  /** capacity-weighted mean SOC */
  socMean: number;
  socMin: number;
  socMax: number;
}

export interface PackDriver {
  readonly cells: number;
  readonly series: number;
  readonly parallel: number;
  readonly fleet: EcmFleet;
  /** Nominal pack capacity (parallel x cell capacity), Ah: 1C in amps. */
  readonly capacityAh: number;
  step(currentA: number, ambientC: number, dtS: number): void;
  /** Pack terminal voltage after the last step (open-circuit at the start). */
  voltage(): number;
  currentForVoltage(vTargetV: number, dtS: number): number;
  currentForPower(powerW: number, dtS: number): number;
  stats(out: CellStats): CellStats;
  /** Save / restore the whole pack state in one of two slots (0: step start, 1: best root). */
  save(slot?: 0 | 1): void;
  restore(slot?: 0 | 1): void;
  warnings(): string[];
}

export function createPackDriver(
  params: CellParams,
  spec: PackSpecLike,
  init: { soc: number; tempC: number; rcPairs: 1 | 2 },
  seed: number,
): PackDriver {
  const pack: Pack = createPack(params, spec, init, seed);
  const fleet = pack.fleet;
  const n = fleet.n;
  const snaps = [new StateSnapshot(pack), new StateSnapshot(pack)];
  const driver: PackDriver = {
    cells: n,
    series: spec.series,
    parallel: spec.parallel,
    fleet,
    capacityAh: spec.parallel * params.capacityAh,
    step(currentA, ambientC, dtS) {
      stepPack(pack, params, currentA, ambientC, dtS);
    },
    voltage() {
      return pack.packV;
    },
    currentForVoltage(v, dtS) {
      return packCurrentForVoltage(pack, params, v, dtS);
    },
    currentForPower(w, dtS) {
      return packCurrentForPower(pack, params, w, dtS);
    },
    stats(out) {
      // extremes and mean SOC come from the pack's own outputs of the last step; the mean
      // temperature is summed here
      const t = fleet.tempC;
      let tSum = 0;
      for (let i = 0; i < n; i++) tSum += t[i];
      out.vMinV = pack.minCellV;
      out.vMaxV = pack.maxCellV;
      out.tempMaxC = pack.maxTempC;
      out.tempMeanC = tSum / n;
      out.socMean = pack.meanSoc;
      out.socMin = pack.minSoc;
      out.socMax = pack.maxSoc;
      return out;
    },
    save(slot = 0) {
      snaps[slot].save();
    },
    restore(slot = 0) {
      snaps[slot].restore();
    },
    warnings() {
      return fleetWarnings(fleet, params);
    },
  };
  return driver;
}
