import { describe, expect, it } from 'vitest';
import { LiveSeries, SERIES, type SeriesName } from './series';

const cols = (vals: (number | null)[]) => Object.fromEntries(SERIES.map((k) => [k, vals])) as Record<SeriesName, (number | null)[]>;

describe('LiveSeries', () => {
  it('keeps the newest points within its capacity, null as NaN', () => {
    const s = new LiveSeries(5);
    s.append([1, 2, 3], cols([10, null, 30]));
    expect(Array.from(s.t.subarray(0, s.length))).toEqual([1, 2, 3]);
    expect(Number.isNaN(s.y.measV[1])).toBe(true);
    s.append([4, 5, 6, 7], cols([40, 50, 60, 70]));
    expect(Array.from(s.t.subarray(0, s.length))).toEqual([3, 4, 5, 6, 7]);
    s.append([8, 9, 10, 11, 12, 13], cols([1, 2, 3, 4, 5, 6]));
    expect(Array.from(s.t.subarray(0, s.length))).toEqual([9, 10, 11, 12, 13]);
    expect(s.y.twinV[4]).toBe(6);
  });
});
