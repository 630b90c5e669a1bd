import { describe, expect, it } from 'vitest';
import { Generation, nextTask } from './schedule';

describe('nextTask', () => {
  it('resumes after the current task (microtasks and the rest of the task run first), in call order', async () => {
    const log: string[] = [];
    const a = nextTask().then(() => log.push('a'));
    const b = nextTask().then(() => log.push('b'));
    void Promise.resolve().then(() => log.push('microtask'));
    log.push('sync');
    await Promise.all([a, b]);
    expect(log).toEqual(['sync', 'microtask', 'a', 'b']);
  });

  it('yields to other macrotasks: a timer fires while a loop awaits it (a microtask loop would starve it)', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    let spins = 0;
    while (!fired && spins < 100_000) {
      await nextTask();
      spins++;
    }
    expect(fired).toBe(true);
  });
});

describe('Generation', () => {
  it('a newer start supersedes the older; cancel supersedes all', () => {
    const g = new Generation();
    const a = g.start();
    expect(g.current(a)).toBe(true);
    const b = g.start();
    expect(g.current(a)).toBe(false);
    expect(g.current(b)).toBe(true);
    g.cancel();
    expect(g.current(b)).toBe(false);
  });
});
