import { describe, expect, it, vi } from 'vitest';
import type { AlertSeverity } from '../../sim/protocol/fleet';
import type { RaiseResult } from '../db/alerts';
import { AlarmRecorder, Deque, type AlarmOutcome } from './alarms';
import type { MonitorAlert } from './core';

const alarm = (deviceId: string, severity: AlertSeverity, code = `X_${severity.toUpperCase()}`): MonitorAlert => ({ deviceId, source: 'safety', code, severity, message: '', deviceT: 0 });
const ok = (a: MonitorAlert, created = true): RaiseResult => ({ alert: { deviceId: a.deviceId, code: a.code } as never, created, counted: created });

describe('Deque', () => {
  it('is a FIFO across its compactions', () => {
    const q = new Deque<number>();
    const out: number[] = [];
    for (let k = 0; k < 5000; k++) {
      q.push(k);
      if (k % 3 === 0) out.push(q.shift()!);
    }
    while (q.length) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, k) => k));
    expect(q.shift()).toBeUndefined();
  });
});

describe('AlarmRecorder (the monitor worker writing alarms to the alert store)', () => {
  it('writes one at a time, highest severity first, and drops the oldest of the lowest severity beyond maxPending', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const written: string[] = [];
    let concurrent = 0;
    let most = 0;
    const outcomes: AlarmOutcome[] = [];
    const rec = new AlarmRecorder(
      { alertsPerS: 1000, maxPending: 4 },
      async (a) => {
        most = Math.max(most, ++concurrent);
        await gate;
        written.push(`${a.deviceId}:${a.code}`);
        concurrent--;
        return ok(a);
      },
      (o) => outcomes.push(o),
    );
    // d0's warning is taken at once (it waits at the gate); 8 more arrive and 4 fit
    for (const d of ['d0', 'd1', 'd2']) for (const s of ['warning', 'alarm', 'trip'] as const) rec.add(alarm(d, s));
    expect(rec.pending).toBe(5);
    expect(outcomes.map((o) => (o.result === 'dropped' ? `${o.input.deviceId}:${o.input.code}` : o.result))).toEqual(['d1:X_WARNING', 'd2:X_WARNING', 'd0:X_ALARM', 'd1:X_ALARM']);
    release();
    await vi.waitFor(() => expect(rec.pending).toBe(0));
    expect(written).toEqual(['d0:X_WARNING', 'd0:X_TRIP', 'd1:X_TRIP', 'd2:X_TRIP', 'd2:X_ALARM']);
    expect(most).toBe(1);
    expect(outcomes.slice(4).map((o) => o.result)).toEqual(['created', 'created', 'created', 'created', 'created']);
  });

  it('reports repeats, re-reports and failures with the database error code', async () => {
    const outcomes: AlarmOutcome[] = [];
    const answers = [
      (a: MonitorAlert) => ({ ...ok(a, false), counted: true }),
      (a: MonitorAlert) => ok(a, false),
      () => {
        throw Object.assign(new Error('Foreign key constraint violated'), { code: 'P2003' });
      },
    ];
    let k = 0;
    const rec = new AlarmRecorder({ alertsPerS: 1000, maxPending: 10 }, async (a) => answers[k++](a), (o) => outcomes.push(o));
    for (let j = 0; j < 3; j++) rec.add(alarm('d', 'alarm'));
    await vi.waitFor(() => expect(outcomes).toHaveLength(3));
    expect(outcomes.map((o) => o.result)).toEqual(['repeat', 'rereport', 'failed']);
    expect(outcomes[2]).toMatchObject({ result: 'failed', code: 'P2003', error: 'Foreign key constraint violated' });
  });

  it('writes at most alertsPerS per second (token bucket with 1 s of burst)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      let n = 0;
      const rec = new AlarmRecorder({ alertsPerS: 20, maxPending: 1000 }, async (a) => (n++, ok(a)), () => {});
      for (let k = 0; k < 45; k++) rec.add(alarm(`d${k}`, 'alarm'));
      await vi.advanceTimersByTimeAsync(0);
      expect(n).toBe(20); // the burst at once
      await vi.advanceTimersByTimeAsync(500);
      expect(n).toBe(30);
      await vi.advanceTimersByTimeAsync(1000);
      expect(n).toBe(45);
    } finally {
      vi.useRealTimers();
    }
  });

  it('on close finishes the alarm being written and reports the ones left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const written: string[] = [];
      const rec = new AlarmRecorder({ alertsPerS: 1, maxPending: 100 }, async (a) => (written.push(a.deviceId), ok(a)), () => {});
      for (let k = 0; k < 5; k++) rec.add(alarm(`d${k}`, 'warning'));
      await vi.advanceTimersByTimeAsync(0);
      expect(written).toEqual(['d0']); // the others wait for tokens
      expect(await rec.close()).toBe(4);
      rec.add(alarm('late', 'trip'));
      await vi.advanceTimersByTimeAsync(5000);
      expect(written).toEqual(['d0']);
      expect(rec.pending).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
