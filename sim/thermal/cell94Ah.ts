/**
 * ECM parameters for the README's typical BESS cell (Samsung 94 Ah prismatic NMC, the SimSES
 * container example): capacity 94 Ah, 2.7-4.15 V, R_int 0.819 mOhm, m 2.1 kg, cp 1000 J/(kg K),
 * h 15 W/(m2 K) on 0.070 m2 (../shared/reference/README.md). SimSES models it as an R_int cell, so
 * R0 carries the whole 0.819 mOhm and the RC pair is a negligible 1 uOhm / 10 ms placeholder.
 * The OCV curve is OUR approximate NMC shape (not a measured curve of this cell), scaled so the mean
 * over SOC is about 3.68 V: 8,000 cells x 94 Ah x 3.68 V = 2.77 MWh as the README states.
 */
import type { CellParams } from '../battery/params';
import { CELL_94AH } from './container';

export function samsung94AhParams(): CellParams {
  const soc = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  const ocv = [3.0, 3.4, 3.48, 3.57, 3.62, 3.66, 3.71, 3.78, 3.87, 3.96, 4.05, 4.15];
  const row = (v: number) => soc.map(() => v);
  return {
    name: 'samsung-94ah-bess (README typical cell)',
    chemistry: 'NMC',
    source: CELL_94AH.source + '; OCV shape ours (approximate)',
    capacityAh: CELL_94AH.capacityAh,
    vMinV: CELL_94AH.vMinV,
    vMaxV: CELL_94AH.vMaxV,
    socBreakpoints: soc,
    tempBreakpointsC: [25],
    ocvV: [ocv],
    r0Ohm: [row(CELL_94AH.rIntOhm)],
    r1Ohm: [row(1e-6)],
    c1F: [row(1e4)],
    thermal: { massKg: CELL_94AH.massKg, cpJPerKgK: CELL_94AH.cpJPerKgK, hConvWPerM2K: CELL_94AH.hConvWPerM2K, areaM2: CELL_94AH.areaM2 },
  };
}
