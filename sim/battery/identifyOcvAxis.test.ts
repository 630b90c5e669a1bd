import { describe, it, expect } from 'vitest';
import { fitOcvShapeCapacity, scaleOcvShape } from './identify';

describe('OCV shape capacity axis', () => {
  it('recovers the Ah-axis factor between a slow-discharge shape and HPPC rest points', () => {
    // synthetic shape with a steep knee near empty, measured on a cell with 3 % more charge
    const soc = Array.from({ length: 121 }, (_, k) => -0.05 + k * 0.01);
    const ocv = (z: number) => 3.3 + 0.8 * z - 0.7 * Math.exp(-(z + 0.05) / 0.03);
    const shape = { soc, voltageV: soc.map(ocv) };
    const gammaTrue = 1.03;
    const truth = scaleOcvShape(shape, gammaTrue);
    const interp = (z: number) => {
      let i = 0;
      while (i < truth.soc.length - 2 && truth.soc[i + 1] < z) i++;
      const w = (z - truth.soc[i]) / (truth.soc[i + 1] - truth.soc[i]);
      return truth.voltageV[i] + w * (truth.voltageV[i + 1] - truth.voltageV[i]);
    };
    const rest = [0.02, 0.035, 0.05, 0.1, 0.5].map((z) => ({ soc: z, voltageV: interp(z), restS: 2000, tempC: 25 }));
    const fit = fitOcvShapeCapacity(shape, rest, 0.15);
    expect(fit.points).toBe(4);
    expect(fit.gamma).toBeCloseTo(gammaTrue, 3);
    expect(fit.rmseMv).toBeLessThan(1);
    // the scaled axis keeps SOC 1 fixed and stretches toward empty
    const s = scaleOcvShape({ soc: [0, 1], voltageV: [3, 4.2] }, 1.05);
    expect(s.soc[1]).toBe(1);
    expect(s.soc[0]).toBeCloseTo(1 - 1 / 1.05, 6);
  });
});
