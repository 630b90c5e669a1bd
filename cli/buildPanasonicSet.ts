// Regenerates sim/battery/sets/panasonic-ncr18650pf.json from the shared Panasonic HPPC and C/20
// data (HPPC, C/20 and the 25 degC 1C capacity tests: no drive cycle is read).   npx tsx cli/buildPanasonicSet.ts [--report file]
import path from 'node:path';
import { dataDir, repoRoot } from './csvTable';
import { main } from './identify';

const d = path.relative(process.cwd(), path.join(dataDir(), 'panasonic-18650pf')) || '.';
const out = path.relative(process.cwd(), path.join(repoRoot(), 'sim', 'battery', 'sets', 'panasonic-ncr18650pf.json'));
const argv = [
  ...[
    ['25degC_HPPC_native.csv', 25],
    ['10degC_HPPC_thinned.csv', 10],
    ['0degC_HPPC_thinned.csv', 0],
    ['n10degC_HPPC_thinned.csv', -10],
    ['n20degC_HPPC_thinned.csv', -20],
  ].flatMap(([f, t]) => ['--hppc', `${path.join(d, 'hppc', String(f))}@${t}`]),
  '--ocv', path.join(d, 'ocv_capacity', '25degC_C20_OCV_test.csv'),
  '--name', 'panasonic-ncr18650pf',
  '--chemistry', 'NCA',
  '--source',
  'P. Kollmeyer (2018), Panasonic 18650PF Li-ion Battery Data, Mendeley Data V1, doi:10.17632/wykht8y7tg.1 (University of Wisconsin-Madison), CC BY 4.0 per third-party descriptions; ' +
    'identified by twinbench identify from the 5-pulse HPPC tests at 25, 10, 0, -10 and -20 degC (with their interpulse discharges), the 25 degC C/20 OCV test and the two 25 degC 1C capacity tests of March 2017 (sustained-load R1)',
  '--extrapolate-c', '40',
  '--ocv-from-temp', '25',
  '--ocv-shape-capacity', 'fit',
  '--surface-soc',
  // sustained-load R1 at 25 degC from the two 1C capacity tests of March (the same cell state as the 25 degC HPPC)
  ...['25degC_1C_discharge_start_Dis1C_1.csv', '25degC_1C_discharge_start_Dis1C_2.csv'].flatMap((f) => ['--cc', `${path.join(d, 'ocv_capacity', f)}@25`]),
  '--out', out,
  ...process.argv.slice(2),
];
main(argv).then((c) => process.exit(c));
