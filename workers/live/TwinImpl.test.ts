import { describe, expect, it } from 'vitest';
import { VirtualDevice, parseFault } from '../../bridge/sources/virtual';
import { TwinImpl } from './TwinImpl';

function drive(fault: string | undefined, seconds: number) {
  const dev = new VirtualDevice({ paramSet: 'panasonic-ncr18650pf', seed: 3, fault: parseFault(fault), ambientC: 25 });
  const twin = new TwinImpl();
  expect(twin.configure({ channels: dev.channels, thresholdV: 0.05, holdS: 5 })).toEqual({ ok: true });
  const events: { t: number; kind: string }[] = [];
  let maxRes = 0;
  let lastSoc = { ekf: 0, twin: 0 };
  // the first reading at rest
  twin.process([{ t: 0, v: [0, dev.pack.packV, 25, 25] }]);
  for (let k = 0; k < seconds * 10; k += 10) {
    const batch = [];
    for (let j = 0; j < 10; j++) batch.push({ t: dev.timeS + 0.1, v: dev.step(0.1) });
    const f = twin.process(batch);
    events.push(...f.events);
    for (const r of f.residualV) if (r !== null) maxRes = Math.max(maxRes, Math.abs(r));
    lastSoc = { ekf: f.ekfSoc.at(-1)!, twin: f.twinSoc.at(-1)! };
  }
  return { events, maxRes, lastSoc, trueSoc: dev.pack.meanSoc };
}

describe('TwinImpl (twin in lockstep + EKF + residual alarm)', () => {
  it('follows a healthy virtual device without an alarm; the EKF tracks its SOC', () => {
    const r = drive(undefined, 240);
    expect(r.events).toEqual([]);
    expect(r.maxRes).toBeLessThan(0.05);
    expect(Math.abs(r.lastSoc.ekf - r.trueSoc)).toBeLessThan(0.05);
  });

  it('raises an alarm when the device develops a resistance fault', () => {
    const r = drive('r0:4@100', 240);
    const raised = r.events.find((e) => e.kind === 'raised');
    expect(raised).toBeDefined();
    expect(raised!.t).toBeGreaterThan(100);
  });

  it('refuses a device without current or voltage channel', () => {
    const twin = new TwinImpl();
    const r = twin.configure({ channels: [{ id: 'x', name: 'x', unit: '', kind: 'other', range: [0, 1] }] });
    expect(r.ok).toBe(false);
  });
});
