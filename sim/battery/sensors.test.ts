import { describe, it, expect } from 'vitest';
import { createSensorBank, sampleSensors, parseSensorSpec } from './sensors';

function run(spec: Parameters<typeof createSensorBank>[0], n: number, steps: number, seed: number, truthV = 3.7, dtS = 1) {
  const bank = createSensorBank(spec, n, seed, 'v');
  const truth = new Float64Array(n).fill(truthV);
  const out = new Float64Array(n);
  const all = new Float64Array(n * steps);
  for (let k = 0; k < steps; k++) {
    sampleSensors(bank, truth, k * dtS, out);
    all.set(out, k * n);
  }
  return { bank, all };
}

describe('sensor models', () => {
  it('noise has the requested mean and standard deviation (seeded, 200k samples)', () => {
    const { all } = run({ noiseStd: 0.005 }, 4, 50_000, 42);
    let s = 0;
    for (const x of all) s += x;
    const mean = s / all.length;
    let v = 0;
    for (const x of all) v += (x - mean) ** 2;
    const std = Math.sqrt(v / (all.length - 1));
    // standard error of the mean: 0.005/sqrt(2e5) = 1.1e-5 -> 5 sigma = 5.6e-5
    expect(Math.abs(mean - 3.7)).toBeLessThan(6e-5);
    // relative standard error of std: 1/sqrt(2*2e5) = 0.16 % -> allow 1 %
    expect(Math.abs(std / 0.005 - 1)).toBeLessThan(0.01);
  });

  it('bias, per-element offset and drift shift the mean', () => {
    const spec = { bias: 0.01, driftPerHour: 0.036 };
    const bank = createSensorBank(spec, 1, 1);
    const out = new Float64Array(1);
    sampleSensors(bank, new Float64Array([1]), 0, out);
    expect(out[0]).toBeCloseTo(1.01, 12);
    sampleSensors(bank, new Float64Array([1]), 1800, out); // half an hour: +0.018
    expect(out[0]).toBeCloseTo(1.028, 12);
    const b2 = createSensorBank({ biasStd: 0.01 }, 2000, 3);
    let m = 0;
    let s2 = 0;
    for (const o of b2.offset) { m += o; s2 += o * o; }
    m /= 2000;
    const sd = Math.sqrt(s2 / 2000 - m * m);
    expect(Math.abs(m)).toBeLessThan(0.01 * 5 / Math.sqrt(2000));
    expect(sd).toBeGreaterThan(0.009);
    expect(sd).toBeLessThan(0.011);
  });

  it('quantizes to multiples of the step, rounding to nearest', () => {
    const { all } = run({ noiseStd: 0.003, quantStep: 0.001 }, 3, 2000, 7);
    const levels = new Set<number>();
    for (const x of all) {
      const k = x / 0.001;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-6);
      levels.add(Math.round(k));
    }
    expect(levels.size).toBeGreaterThan(5); // noise spans several LSBs
    const b = createSensorBank({ quantStep: 0.5 }, 3, 1);
    const out = new Float64Array(3);
    sampleSensors(b, new Float64Array([1.24, 1.26, -0.74]), 0, out);
    expect(Array.from(out)).toEqual([1, 1.5, -0.5]);
  });

  it('saturates at the measuring range', () => {
    const b = createSensorBank({ min: 0, max: 5 }, 2, 1);
    const out = new Float64Array(2);
    sampleSensors(b, new Float64Array([-1, 7]), 0, out);
    expect(Array.from(out)).toEqual([0, 5]);
  });

  it('stuck-at: holds the last reading (or a given value) from the fault time on', () => {
    const b = createSensorBank({ stuck: { fromS: 10, index: 1 } }, 2, 1);
    const truth = new Float64Array(2);
    const out = new Float64Array(2);
    for (let t = 0; t < 20; t++) {
      truth[0] = t; truth[1] = 100 + t;
      sampleSensors(b, truth, t, out);
      expect(out[0]).toBe(t);
      expect(out[1]).toBe(t < 10 ? 100 + t : 109);
    }
    const b2 = createSensorBank({ stuck: { fromS: 5, value: 0 } }, 2, 1);
    for (let t = 0; t < 10; t++) {
      truth.fill(3.3);
      sampleSensors(b2, truth, t, out);
      expect(out[0]).toBe(t < 5 ? 3.3 : 0);
      expect(out[1]).toBe(t < 5 ? 3.3 : 0);
    }
  });

  it('dropouts occur at the requested rate; NaN or hold-last', () => {
    const { all } = run({ dropoutProb: 0.05, noiseStd: 0.001 }, 10, 10_000, 11);
    let nan = 0;
    for (const x of all) if (Number.isNaN(x)) nan++;
    const p = nan / all.length; // 1e5 samples, std of p = sqrt(.05*.95/1e5) = 6.9e-4
    expect(Math.abs(p - 0.05)).toBeLessThan(0.0035);
    const b = createSensorBank({ dropoutProb: 0.3, dropoutMode: 'hold' }, 1, 5);
    const out = new Float64Array(1);
    let prev = NaN;
    let held = 0;
    for (let t = 0; t < 1000; t++) {
      sampleSensors(b, new Float64Array([t]), t, out);
      if (out[0] !== t) {
        held++;
        if (Number.isNaN(prev)) expect(out[0]).toBeNaN();
        else expect(out[0]).toBe(prev);
      }
      if (!Number.isNaN(out[0])) prev = out[0];
    }
    expect(held).toBeGreaterThan(240);
    expect(held).toBeLessThan(360);
  });

  it('same seed gives the same output; another seed or bank name differs', () => {
    const spec = { noiseStd: 0.01, biasStd: 0.002, dropoutProb: 0.01, quantStep: 0.0001 };
    const a = run(spec, 5, 500, 123).all;
    const b = run(spec, 5, 500, 123).all;
    const c = run(spec, 5, 500, 124).all;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const x = createSensorBank(spec, 1, 9, 'voltage');
    const y = createSensorBank(spec, 1, 9, 'temperature');
    expect(x.offset[0]).not.toBe(y.offset[0]);
  });

  it('a stuck element does not change the noise of the others', () => {
    const spec = { noiseStd: 0.01 };
    const a = run(spec, 3, 100, 5).all;
    const b = run({ ...spec, stuck: { fromS: 50, index: 0 } }, 3, 100, 5).all;
    for (let k = 0; k < 100; k++) {
      expect(b[k * 3 + 1]).toBe(a[k * 3 + 1]);
      expect(b[k * 3 + 2]).toBe(a[k * 3 + 2]);
    }
  });

  it('rejects bad specs with a path and message', () => {
    const r = parseSensorSpec({ noiseStd: -1, dropoutProb: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.path[0]).sort()).toEqual(['dropoutProb', 'noiseStd']);
    }
    expect(() => createSensorBank({ stuck: { fromS: 0, index: 3 } }, 2, 1)).toThrow(/stuck.index/);
  });
});

describe('pack sensors', () => {
  it('measure group voltages, pack current and cell temperatures of a pack, seeded', async () => {
    const { getParamSet } = await import('./paramSets');
    const { createPack, stepPack } = await import('./pack');
    const { createPackSensors, samplePackSensors } = await import('./sensors');
    const p = getParamSet('panasonic-ncr18650pf');
    const pack = createPack(p, { series: 3, parallel: 2 }, { soc: 0.8, tempC: 25 }, 1);
    const spec = {
      groupVoltage: { noiseStd: 0.001, quantStep: 0.001 },
      packCurrent: { bias: 0.05 },
      cellTemperature: { stuck: { fromS: 5, index: 2, value: -40 } },
    };
    const a = createPackSensors(pack, spec, 9);
    const b = createPackSensors(pack, spec, 9);
    for (let t = 0; t < 10; t++) {
      stepPack(pack, p, 4, 25, 1);
      samplePackSensors(a, pack, t);
      samplePackSensors(b, pack, t);
      expect(Array.from(a.groupV)).toEqual(Array.from(b.groupV));
      for (let g = 0; g < 3; g++) expect(Math.abs(a.groupV[g] - pack.groupV[g])).toBeLessThan(0.006);
      expect(a.packCurrentA).toBeCloseTo(4.05, 12);
      expect(a.packV).toBe(pack.packV); // ideal channel
      expect(a.cellTempC[2]).toBe(t < 5 ? pack.fleet.tempC[2] : -40);
    }
  });
});
