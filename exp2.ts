import { loadCellCsv } from './cli/cellCsv';
const files = ['/work/shared/data/panasonic-18650pf/25degC_US06_native10hz.csv', ...['25degC_US06', '0degC_US06', '10degC_LA92', '25degC_HWFTa', '0degC_UDDS'].map((f) => `/work/shared/data/panasonic-18650pf/drive_cycles_1hz/${f}.csv`), '/work/shared/data/panasonic-18650pf/hppc/25degC_HPPC_native.csv', '/work/shared/data/panasonic-18650pf/hppc/0degC_HPPC_thinned.csv'];
for (const f of files) {
  const s = loadCellCsv(f, { duplicateTime: 'keep-last', invalidRows: 'skip' } as any);
  const same: number[] = [], next: number[] = [];
  for (let k = 1; k < s.rows - 1; k++) {
    const dI = s.currentA[k] - s.currentA[k - 1];
    if (Math.abs(dI) < 1) continue;
    same.push(-(s.voltageV[k] - s.voltageV[k - 1]) / dI);
    next.push(-(s.voltageV[k + 1] - s.voltageV[k]) / dI);
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
  console.log(f.split('/').pop(), 'steps', same.length, 'same-row', (1000 * med(same)).toFixed(1), 'mOhm  next-row', (1000 * med(next)).toFixed(1));
}
