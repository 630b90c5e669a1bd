/**
 * INTERIM stand-in for sim/battery/pack.ts (H2) with the same signatures, used by the engine
 * until the real pack lands: exact for 1s1p; series/parallel with EQUAL current sharing among
 * parallel cells (no sharing solver). Delete once the engine imports ../battery/pack.
 */
import type { CellParams } from '../battery/params';
import { createEcmFleet, stepEcmFleet, terminalVoltageAfter, currentForVoltage, currentForPower, type EcmFleet } from '../battery/ecm';
import { createRng } from '../core/rng';

export interface PackSpec {
  series: number;
  parallel: number;
  spread?: { capacityRelStd: number; r0RelStd: number };
}

export interface Pack {
  fleet: EcmFleet;
  spec: PackSpec;
  cellCurrentA: Float64Array;
  packV: number;
}

function packVoltage(f: EcmFleet, spec: PackSpec): number {
  let v = 0;
  const p = spec.parallel;
  for (let g = 0; g < spec.series; g++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += f.terminalV[g * p + j];
    v += s / p;
  }
  return v;
}

export function createPack(params: CellParams, spec: PackSpec, init: { soc: number; tempC: number; rcPairs?: 1 | 2 }, seed: number): Pack {
  const n = spec.series * spec.parallel;
  const fleet = createEcmFleet(params, n, init);
  if (spec.spread) {
    const rng = createRng(seed).fork('pack-spread');
    for (let i = 0; i < n; i++) {
      fleet.capacityAh[i] = params.capacityAh * Math.max(0.5, 1 + spec.spread.capacityRelStd * rng.normal());
      fleet.r0Scale[i] = Math.max(0.2, 1 + spec.spread.r0RelStd * rng.normal());
    }
  }
  return { fleet, spec, cellCurrentA: new Float64Array(n), packV: packVoltage(fleet, spec) };
}

export function stepPack(pack: Pack, p: CellParams, packCurrentA: number, ambientC: number, dtS: number): void {
  pack.cellCurrentA.fill(packCurrentA / pack.spec.parallel);
  stepEcmFleet(pack.fleet, p, pack.cellCurrentA, ambientC, dtS);
  pack.packV = packVoltage(pack.fleet, pack.spec);
}

function voltageAfter(pack: Pack, p: CellParams, I: number, dtS: number): number {
  const { series, parallel } = pack.spec;
  let v = 0;
  for (let g = 0; g < series; g++) {
    let s = 0;
    for (let j = 0; j < parallel; j++) s += terminalVoltageAfter(pack.fleet, p, g * parallel + j, I / parallel, dtS);
    v += s / parallel;
  }
  return v;
}

export function packCurrentForVoltage(pack: Pack, p: CellParams, vTargetV: number, dtS: number): number {
  if (pack.fleet.n === 1) return currentForVoltage(pack.fleet, p, 0, vTargetV, dtS);
  // Secant on V(I) = target (V is nearly linear in I).
  let i0 = 0, v0 = voltageAfter(pack, p, i0, dtS) - vTargetV;
  let i1 = pack.spec.parallel * p.capacityAh * 0.1, v1 = voltageAfter(pack, p, i1, dtS) - vTargetV;
  for (let it = 0; it < 50 && Math.abs(v1) > 1e-12 && v1 !== v0; it++) {
    const i2 = i1 - (v1 * (i1 - i0)) / (v1 - v0);
    i0 = i1; v0 = v1;
    i1 = i2; v1 = voltageAfter(pack, p, i1, dtS) - vTargetV;
  }
  return i1;
}

export function packCurrentForPower(pack: Pack, p: CellParams, powerW: number, dtS: number): number {
  if (pack.fleet.n === 1) return currentForPower(pack.fleet, p, 0, powerW, dtS);
  let I = powerW / Math.max(pack.packV, 1e-3);
  for (let it = 0; it < 50; it++) {
    const v = voltageAfter(pack, p, I, dtS);
    const In = powerW / v;
    if (Math.abs(In - I) < 1e-10 * (1 + Math.abs(I))) return In;
    I = In;
  }
  return I;
}
