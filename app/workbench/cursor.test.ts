import { describe, expect, it } from 'vitest';
import { fmtTime, nearestIndex, pxToTime, timeToPx } from './cursor';

describe('cursor helpers', () => {
  const a = { offsetPx: 50, lengthPx: 400, x0S: 100, x1S: 300 };

  it('maps time to the plots pixel and back', () => {
    expect(timeToPx(a, 100)).toBe(50);
    expect(timeToPx(a, 200)).toBe(250);
    expect(timeToPx(a, 300)).toBe(450);
    expect(timeToPx(a, 99)).toBeNull();
    expect(timeToPx({ ...a, x1S: 100 }, 100)).toBeNull();
    expect(pxToTime(a, 250)).toBe(200);
    expect(pxToTime(a, 0)).toBe(100);
    expect(pxToTime(a, 9999)).toBe(300);
  });

  it('finds the nearest sample (ties to the earlier one)', () => {
    const t = new Float64Array([0, 1, 2, 4]);
    expect(nearestIndex(t, -5)).toBe(0);
    expect(nearestIndex(t, 1.4)).toBe(1);
    expect(nearestIndex(t, 1.6)).toBe(2);
    expect(nearestIndex(t, 3)).toBe(2);
    expect(nearestIndex(t, 3.1)).toBe(3);
    expect(nearestIndex(t, 99)).toBe(3);
    expect(nearestIndex(new Float64Array(0), 1)).toBe(-1);
  });

  it('labels time in the unit of the run', () => {
    expect(fmtTime(2158.1, 2200)).toBe('35.97 min');
    expect(fmtTime(12.5, 60)).toBe('12.50 s');
    expect(fmtTime(9000, 86400)).toBe('2.500 h');
  });
});
