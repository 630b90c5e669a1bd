import { loadCellCsv } from './cli/cellCsv';
import { loadParams } from './cli/replayCell';
import { replayCell } from './sim/estimation/replay';
const p = loadParams('panasonic-ncr18650pf');
const s = loadCellCsv('/work/shared/data/panasonic-18650pf/25degC_US06_native10hz.csv', { duplicateTime: 'keep-last', invalidRows: 'skip' } as any);
const r = replayCell(s, p, { trace: true });
const V = r.trace!.modelV;
// bin means
const bins = new Map<number, [number, number, number]>();
let se = 0, n = 0, worst = 0, worstK = 0;
for (let k = 0; k < s.rows; k++) {
  const e = V[k] - s.voltageV[k];
  se += e * e; n++;
  if (Math.abs(e) > Math.abs(worst)) { worst = e; worstK = k; }
  const b = Math.floor(s.timeS[k]);
  const a = bins.get(b) ?? [0, 0, 0]; a[0] += V[k]; a[1] += s.voltageV[k]; a[2]++; bins.set(b, a);
}
let sb = 0;
for (const [, [m, v, c]] of bins) sb += ((m - v) / c) ** 2;
console.log('10 Hz rmse', (1000 * Math.sqrt(se / n)).toFixed(1), 'bin-mean rmse', (1000 * Math.sqrt(sb / bins.size)).toFixed(1));
console.log('worst', (worst * 1000).toFixed(0), 'at t', s.timeS[worstK], 'I', s.currentA[worstK]);
for (let k = worstK - 8; k < worstK + 8; k++) console.log(s.timeS[k].toFixed(2), s.currentA[k].toFixed(2), s.voltageV[k].toFixed(3), V[k].toFixed(3));
{
  const sh = { ...s, currentA: Float64Array.from(s.currentA, (_, k) => (k === 0 ? s.currentA[0] : s.currentA[k - 1])) };
  const r2 = replayCell(sh, p, { trace: true });
  console.log('previous-current convention: rmse', r2.voltage_rmse_mv.toFixed(1), 'max', r2.voltage_max_abs_mv.toFixed(0), 'soc', r2.soc_rmse_pct.toFixed(2));
  // 1 Hz file, same shift
  const s1 = loadCellCsv('/work/shared/data/panasonic-18650pf/drive_cycles_1hz/25degC_US06.csv', { duplicateTime: 'keep-last', invalidRows: 'skip' } as any);
  const sh1 = { ...s1, currentA: Float64Array.from(s1.currentA, (_, k) => (k === 0 ? s1.currentA[0] : s1.currentA[k - 1])) };
  console.log('1 Hz same:', replayCell(s1, p, {}).voltage_rmse_mv.toFixed(1), 'previous:', replayCell(sh1, p, {}).voltage_rmse_mv.toFixed(1));
}
