import { describe, it, expect } from 'vitest';
import { runToCsv, formatCsvNumber } from './csv';
import type { RunResult } from './run';

function result(channels: { name: string; unit: string; data: number[] }[]): RunResult {
  return {
    engineVersion: 'x', scenarioHash: 'h', seed: 1, steps: 0, durationS: 0, metrics: {}, warnings: [], name: 'n', stepLog: [], completed: true,
    channels: channels.map((c) => ({ ...c, data: Float64Array.from(c.data) })),
  };
}

describe('runToCsv', () => {
  it('writes a header and fixed decimals per channel, LF line ends', () => {
    const csv = runToCsv(result([
      { name: 'time_s', unit: 's', data: [0, 1.23456] },
      { name: 'current_A', unit: 'A', data: [0, -2.9] },
      { name: 'temp_C', unit: 'degC', data: [25, 25.123456] },
      { name: 'step_index', unit: '1', data: [0, 3] },
    ]));
    expect(csv).toBe('time_s,current_A,temp_C,step_index\n0.000,0.000000,25.0000,0\n1.235,-2.900000,25.1235,3\n');
  });
  it('never writes negative zero and spells non-finite values', () => {
    expect(formatCsvNumber(-1e-9, 6)).toBe('0.000000');
    expect(formatCsvNumber(-0, 3)).toBe('0.000');
    expect(formatCsvNumber(NaN, 3)).toBe('NaN');
    expect(formatCsvNumber(-Infinity, 3)).toBe('-Infinity');
    expect(formatCsvNumber(-0.0000006, 6)).toBe('-0.000001');
  });
});
