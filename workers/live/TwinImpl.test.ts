import { describe, expect, it } from 'vitest';
import { VirtualDevice, parseFault } from '../../bridge/sources/virtual';
import { TwinImpl } from './TwinImpl';

function drive(fault: string | undefined, seconds: number) {
  const dev = new VirtualDevice({ paramSet: 'panasonic-ncr18650pf', seed: 3, fault: parseFault(fault), ambientC: 25 });
  const twin = new TwinImpl();
  expect(twin.configure({ channels: dev.channels, thresholdV: 0.05, holdS: 5 })).toEqual({ ok: true });
  const events: { t: number; kind: string }[] = [];
  const safety: { code: string }[] = [];
  let maxRes = 0;
  let lastSoc = { ekf: 0, twin: 0 };
  // the first reading at rest
  twin.process([{ t: 0, v: [0, dev.pack.packV, 25, 25] }]);
  for (let k = 0; k < seconds * 10; k += 10) {
    const batch = [];
    for (let j = 0; j < 10; j++) batch.push({ t: dev.timeS + 0.1, v: dev.step(0.1) });
    const f = twin.process(batch);
    events.push(...f.events);
    safety.push(...f.safety);
    for (const r of f.residualV) if (r !== null) maxRes = Math.max(maxRes, Math.abs(r));
    lastSoc = { ekf: f.ekfSoc.at(-1)!, twin: f.twinSoc.at(-1)! };
  }
  return { events, safety, maxRes, lastSoc, trueSoc: dev.pack.meanSoc };
}

describe('TwinImpl (twin in lockstep + EKF + residual alarm)', () => {
  it('follows a healthy virtual device without an alarm; the EKF tracks its SOC', () => {
    const r = drive(undefined, 240);
    expect(r.events).toEqual([]);
    // its 2C pulses stay inside its advertised +-3C: the safety monitor stays quiet too
    expect(r.safety).toEqual([]);
    expect(r.maxRes).toBeLessThan(0.05);
    expect(Math.abs(r.lastSoc.ekf - r.trueSoc)).toBeLessThan(0.05);
  });

  it('raises an alarm when the device develops a resistance fault', () => {
    const r = drive('r0:4@100', 240);
    const raised = r.events.find((e) => e.kind === 'raised');
    expect(raised).toBeDefined();
    expect(raised!.t).toBeGreaterThan(100);
  });

  it('runs the safety monitor on the measurements and stamps events with the receive time', () => {
    const dev = new VirtualDevice({ paramSet: 'panasonic-ncr18650pf', seed: 3, fault: null, ambientC: 25 });
    const twin = new TwinImpl();
    twin.configure({ channels: dev.channels });
    const r0 = 1.7e12;
    // 10 s at 25 degC, then the cell temperature reads 52 degC (discharge levels 45 / 50 / 55 degC,
    // debounce 2 s / 1 s): alarm and warning after their debounce, no trip
    const frames = [];
    for (let k = 0; k <= 200; k++) {
      const t = k * 0.1;
      frames.push(twin.process([{ t, v: [1, 3.7, t < 10 ? 25 : 52, 25], r: r0 + k * 100 }]));
    }
    const ev = frames.flatMap((f) => f.safety);
    expect(ev.map((e) => e.code)).toEqual(['OT_ALARM', 'OT_WARN']);
    expect(ev[0]).toMatchObject({ severity: 'alarm', target: 'cell', value: 52 });
    expect(ev[0].t).toBeCloseTo(11, 6);
    expect(ev[0].atMs).toBe(r0 + 110 * 100);
    expect(ev[1]).toMatchObject({ severity: 'warning', atMs: r0 + 120 * 100 });
    // the current limits follow the advertised range: 3C discharge -> warning above 3 x capacity
    const cap = dev.params.capacityAh;
    const f = twin.process(Array.from({ length: 40 }, (_, k) => ({ t: 21 + k * 0.1, v: [3.05 * cap, 3.7, 25, 25] })));
    expect(f.safety.map((e) => e.code)).toContain('OC_WARN');
    expect(f.safety.every((e) => e.atMs === undefined)).toBe(true);
  });

  it('refuses a device without current or voltage channel', () => {
    const twin = new TwinImpl();
    const r = twin.configure({ channels: [{ id: 'x', name: 'x', unit: '', kind: 'other', range: [0, 1] }] });
    expect(r.ok).toBe(false);
  });
});
