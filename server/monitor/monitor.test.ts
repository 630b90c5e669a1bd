import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualDevice, parseFault } from '../../bridge/sources/virtual';
import type { Sample } from '../../sim/protocol/bridge';
import { BridgeMetrics } from '../bridge/metrics';
import type { RaiseInput, RaiseResult } from '../db/alerts';
import type { ToWorker } from './core';
import { checksThread, inlineAlarms, inlineChecks, ServerMonitor, type AlarmsFactory, type ChecksFactory } from './monitor';
import { MONITOR_DEFAULTS, type MonitorSettings } from './settings';

const R0 = 1.7e12;
const monitors: ServerMonitor[] = [];

afterEach(async () => {
  for (const m of monitors.splice(0)) await m.close();
});

/** The alert store's de-duplication in memory (server/db/alerts.ts semantics, one device): one
 * open alert per code, an occurrence counted only when later than the last one recorded. */
function memoryStore() {
  const open = new Map<string, { count: number; lastAt: number; severity: string }>();
  const calls: RaiseInput[] = [];
  const raise = async (a: RaiseInput): Promise<RaiseResult> => {
    calls.push(a);
    const at = a.atMs ?? Date.now();
    const e = open.get(a.code);
    const result = (created: boolean, counted: boolean) => ({ alert: { code: a.code, count: open.get(a.code)!.count } as never, created, counted });
    if (!e) {
      open.set(a.code, { count: 1, lastAt: at, severity: a.severity });
      return result(true, true);
    }
    if (at <= e.lastAt) return result(false, false);
    e.count++;
    e.lastAt = at;
    return result(false, true);
  };
  return { open, calls, raise };
}

function make(settings: Partial<MonitorSettings>, raise: (a: RaiseInput) => Promise<RaiseResult>, checks: ChecksFactory = inlineChecks) {
  const metrics = new BridgeMetrics();
  const logs: string[] = [];
  const published: unknown[] = [];
  const m = new ServerMonitor({ ...MONITOR_DEFAULTS, ...settings }, { checks, alarms: inlineAlarms(raise), metrics, publish: (a) => published.push(a), log: (x) => logs.push(x) });
  monitors.push(m);
  return { m, metrics, logs, published };
}

/** A virtual device's samples in 1 s batches (10 Hz), receive time r from its device time. */
function* device(fault: string | undefined, seconds: number, seed = 3): Generator<Sample[]> {
  const dev = new VirtualDevice({ paramSet: 'panasonic-ncr18650pf', seed, fault: parseFault(fault), ambientC: 25 });
  for (let k = 0; k < seconds; k++) {
    const b: Sample[] = [];
    for (let j = 0; j < 10; j++) {
      const v = dev.step(0.1);
      b.push({ t: dev.timeS, r: R0 + Math.round(dev.timeS * 1000), v });
    }
    yield b;
  }
}

const channelsOf = () => new VirtualDevice({ paramSet: 'panasonic-ncr18650pf', seed: 1, fault: null, ambientC: 25 }).channels;

/** temperature excursions to 47 degC (OT warning only) at the given device times, 10 s each */
function hotBatches(startsS: number[], seconds: number): Sample[][] {
  const out: Sample[][] = [];
  for (let k = 0; k < seconds; k++) {
    const b: Sample[] = [];
    for (let j = 0; j < 10; j++) {
      const t = k + j / 10;
      const hot = startsS.some((s) => t >= s && t < s + 10);
      b.push({ t, r: R0 + Math.round(t * 1000), v: [1, 3.7, hot ? 47 : 25, 25] });
    }
    out.push(b);
  }
  return out;
}

describe('ServerMonitor (main-thread side: queue, twins per device, alarms to the alert store)', () => {
  it('a fault in a virtual device raises its alarm once; a repeat counts; a healthy device raises nothing', async () => {
    const store = memoryStore();
    const { m, metrics, published } = make({}, store.raise);
    const ch = channelsOf();
    m.hello('sick', ch);
    m.hello('well', ch);
    m.hello('hot', ch);
    const sick = device('r0:4@100', 200);
    const well = device(undefined, 200, 4);
    const hot = hotBatches([20, 60], 90);
    for (let k = 0; k < 200; k++) {
      m.feed('sick', sick.next().value as Sample[]);
      m.feed('well', well.next().value as Sample[]);
      if (k < hot.length) m.feed('hot', hot[k]);
      if (k % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await m.idle();
    const byDevice = (id: string) => store.calls.filter((c) => c.deviceId === id).map((c) => c.code);
    expect(byDevice('sick')).toEqual(['RESIDUAL_V']);
    expect(byDevice('well')).toEqual([]);
    expect(byDevice('hot')).toEqual(['OT_WARN', 'OT_WARN']);
    expect(store.open.get('OT_WARN')!.count).toBe(2);
    expect(store.open.get('RESIDUAL_V')!.count).toBe(1);
    expect(metrics.monitorSamples.get()).toBe(200 * 10 * 2 + 900);
    expect(metrics.monitorAlerts.get({ result: 'created' })).toBe(2);
    expect(metrics.monitorAlerts.get({ result: 'repeat' })).toBe(1);
    expect(published).toHaveLength(3); // recorded ones go to the watching browsers
    expect(metrics.render()).toMatch(/^twinbench_monitor_devices 3$/m);
  });

  it('runs the checks in a worker thread', async () => {
    const store = memoryStore();
    const { m, metrics } = make({}, store.raise, checksThread);
    m.hello('hot', channelsOf());
    for (const b of hotBatches([20], 40)) m.feed('hot', b);
    await m.idle();
    expect(store.calls.map((c) => [c.deviceId, c.source, c.code, c.severity, c.atMs])).toEqual([['hot', 'safety', 'OT_WARN', 'warning', R0 + 22_000]]);
    expect(metrics.monitorSamples.get()).toBe(400);
  });

  it('keeps the twin over a reconnect with the same channels, rebuilds it for other channels, drops it after the grace time', async () => {
    const posted: ToWorker[] = [];
    const store = memoryStore();
    const spy: ChecksFactory = (s, onMessage, onExit) => {
      const p = inlineChecks(s, onMessage, onExit);
      return { post: (x, t) => (posted.push(x), p.post(x, t)), terminate: () => p.terminate() };
    };
    const { m, logs } = make({ graceS: 0.05 }, store.raise, spy);
    const ch = channelsOf();
    m.hello('d', ch);
    m.disconnected('d');
    m.hello('d', ch); // back within the grace time: same twin
    m.hello('d', ch.slice(0, 2)); // other channels: a new twin
    m.disconnected('d');
    await new Promise((r) => setTimeout(r, 120));
    m.hello('d', ch.slice(2)); // after the grace time: new, and refused (no current / voltage)
    await vi.waitFor(() => expect(logs).toEqual([expect.stringMatching(/^device d is not monitored: .*no current or no voltage channel/)]));
    const ops = posted.map((x) => (x.type === 'open' || x.type === 'close' ? `${x.type}:${x.slot}` : x.type));
    expect(ops).toEqual(['open:1', 'close:1', 'open:2', 'close:2', 'open:3']);
    // samples of an unmonitored device are not queued
    m.feed('d', [{ t: 1, r: R0, v: [25, 25] }]);
    expect(posted.filter((x) => x.type === 'samples')).toHaveLength(0);
  });

  it('never blocks the feeder: with the worker stalled the queue keeps the newest samples and counts the dropped', async () => {
    const posted: ToWorker[] = [];
    // it never answers
    const stalled: ChecksFactory = () => ({ post: (x) => void posted.push(x), terminate: async () => {} });
    const { m, metrics } = make({ maxQueuedSamples: 50 }, memoryStore().raise, stalled);
    m.hello('d', channelsOf());
    const batch = (k: number): Sample[] => Array.from({ length: 10 }, (_, j) => ({ t: k + j / 10, r: R0 + k * 1000 + j * 100, v: [1, 3.7, 25, 25] }));
    // two messages go out (then the worker owes answers), the rest waits in the queue
    m.feed('d', batch(0));
    await new Promise((r) => setImmediate(r));
    m.feed('d', batch(1));
    await new Promise((r) => setImmediate(r));
    for (let k = 2; k < 20; k++) m.feed('d', batch(k));
    await new Promise((r) => setImmediate(r));
    const sent = posted.filter((x): x is Extract<ToWorker, { type: 'samples' }> => x.type === 'samples');
    expect(sent).toHaveLength(2);
    // packed as typed arrays: slot, count, width (2 + 4 channels) and rows t, r, v...
    expect([...sent[0].index]).toEqual([1, 10, 6]);
    expect([...sent[0].data.subarray(0, 6)]).toEqual([0, R0, 1, 3.7, 25, 25]);
    expect(metrics.monitorDroppedBatches.get()).toBe(13); // 18 queued, 5 kept (50 samples)
    expect(metrics.monitorDroppedSamples.get()).toBe(130);
    expect(metrics.render()).toMatch(/^twinbench_monitor_queued_samples 50$/m);
  });

  it('restarts a worker that died and opens the known devices again', async () => {
    const store = memoryStore();
    const starts: ToWorker[][] = [];
    let kill: (e: Error) => void = () => {};
    const dying: ChecksFactory = (s, onMessage, onExit) => {
      const posted: ToWorker[] = [];
      starts.push(posted);
      kill = onExit;
      const p = inlineChecks(s, onMessage, onExit);
      return { post: (x, t) => (posted.push(x), p.post(x, t)), terminate: () => p.terminate() };
    };
    const { m, metrics, logs } = make({}, store.raise, dying);
    m.hello('hot', channelsOf());
    await m.idle();
    kill(new Error('the monitor worker stopped (exit 1)'));
    for (const b of hotBatches([5], 20)) m.feed('hot', b);
    await m.idle();
    expect(starts).toHaveLength(2);
    expect(starts[1][0]).toMatchObject({ type: 'open', slot: 1, deviceId: 'hot' });
    expect(store.calls.map((c) => c.code)).toEqual(['OT_WARN']);
    expect(metrics.monitorRestarts.get()).toBe(1);
    expect(logs[0]).toMatch(/exit 1\); restarting it in 1 s with fresh twins/);
  });

  it('restarts an alarm writer that died: its unwritten alarm is counted as dropped, later ones are recorded', async () => {
    const store = memoryStore();
    let first = true;
    // the first write never finishes (a stuck connection), then the writer dies
    const raise = (a: RaiseInput) => (first ? ((first = false), new Promise<RaiseResult>(() => {})) : store.raise(a));
    let kill: (e: Error) => void = () => {};
    let writers = 0;
    const alarms: AlarmsFactory = (s, onMessage, onExit) => {
      writers++;
      kill = onExit;
      return inlineAlarms(raise)(s, onMessage, onExit);
    };
    const metrics = new BridgeMetrics();
    const logs: string[] = [];
    const m = new ServerMonitor(MONITOR_DEFAULTS, { checks: inlineChecks, alarms, metrics, log: (x) => logs.push(x) });
    monitors.push(m);
    m.hello('hot', channelsOf());
    const batches = hotBatches([5, 40], 60);
    for (const b of batches.slice(0, 30)) m.feed('hot', b);
    await vi.waitFor(() => expect(first).toBe(false));
    kill(new Error('the monitor alarm writer worker stopped (exit 1)'));
    for (const b of batches.slice(30)) m.feed('hot', b);
    await m.idle();
    expect(writers).toBe(2);
    expect(store.calls.map((c) => [c.code, c.deviceT])).toEqual([['OT_WARN', expect.closeTo(42, 6)]]);
    expect(metrics.monitorAlerts.get({ result: 'dropped' })).toBe(1);
    expect(logs[0]).toMatch(/stopped \(exit 1\) \(1 alarms not recorded\); restarting it in 1 s/);
  });
});
