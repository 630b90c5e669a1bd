// twinbench identify --hppc <csv>[@tempC] [--hppc ...] [--ocv <csv>] --out params.json
// Identifies an ECM parameter set from HPPC tests (Panasonic column format; one file per
// temperature) and an optional C/20 OCV test. See docs/twin-core.md.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCellCsv, CsvError } from './cellCsv';
import { existsSync } from 'node:fs';
import { identifyHppc, identifyLongRelaxation, mergeHppcWithInterpulse, fitSurfaceSoc, fitSustainedR1, surfaceSocRows, type SurfaceSocFit, ocvCurveOf, buildCellParams, coolingTimeConstantS, fitOcvShapeCapacity, restPointsOf, scaleOcvShape, type TemperatureIdentification } from '../sim/battery/identify';

const USAGE = `usage: twinbench identify --hppc <csv>[@tempC] [--hppc <csv>[@tempC] ...] [--ocv <csv>] --out params.json
  [--name NAME] [--chemistry NCA|NMC|LFP|LCO|other] [--source TEXT] [--q-ah 2.9] [--rc 1|2]
  [--v-min 2.5] [--v-max 4.2] [--ref-current-a Q*1] [--mass-kg 0.048] [--cp 1000] [--area-m2 0.0042]
  [--extrapolate-c 40] [--ocv-from-temp 25] [--low-soc-r flat|log-linear] [--ocv-shape-capacity fit|none] [--slow-branch-shape flat|dcir] [--surface-soc] [--cc <csv>[@tempC] ...] [--report report.json] [--interpulse <csv> (after its --hppc)]
CSV columns: time_s,current_A,voltage_V,ah_Ah,battery_temp_degC (current < 0 = discharge).
Each --hppc file is one temperature (nominal = the mean measured temperature rounded to 1 degC,
or the value after @). --ocv is a slow (e.g. C/20) discharge from full, used as the OCV shape
between the HPPC rest points. --surface-soc adds the surface-SOC lag (solid diffusion: tables read
at z - delta) per temperature, fitted over the pulse windows of the whole test. --cc is a
constant-current discharge from full (e.g. a 1C capacity test) at one of the HPPC temperatures:
R1 of that temperature (and of the rows extrapolated from it) is rescaled per SOC so that the
model holds the measured voltage under sustained load. --report writes the per-pulse fits with
plot-ready residual traces (and each --cc test's measured and fitted voltage).`;

interface Args {
  hppc: { file: string; tempC?: number; interpulse?: string }[];
  cc: { file: string; tempC?: number }[];
  ocv?: string;
  out?: string;
  report?: string;
  name: string;
  chemistry: 'NCA' | 'NMC' | 'LFP' | 'LCO' | 'other';
  source?: string;
  qAh: number;
  rc: 1 | 2;
  vMin: number;
  vMax: number;
  refCurrent?: number;
  massKg: number;
  cp: number;
  areaM2: number;
  extrapolate: number[];
  ocvFromTempC?: number;
  lowSoc?: 'flat' | 'log-linear';
  slowShape?: 'flat' | 'dcir';
  ocvShapeCapacity?: 'fit' | 'none';
  surface: boolean;
}

/** "file.csv@25" -> { file, tempC: 25 }; "file.csv" -> { file } */
function fileAtTemp(s: string): { file: string; tempC?: number } {
  const at = s.lastIndexOf('@');
  if (at > 0 && Number.isFinite(Number(s.slice(at + 1)))) return { file: s.slice(0, at), tempC: Number(s.slice(at + 1)) };
  return { file: s };
}

function parseArgs(argv: string[]): Args {
  const a: Args = { hppc: [], cc: [], name: 'identified-cell', chemistry: 'other', qAh: 2.9, rc: 2, vMin: 2.5, vMax: 4.2, massKg: 0.048, cp: 1000, areaM2: 0.0042, extrapolate: [], surface: false };
  const num = (flag: string, v: string | undefined) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x)) throw new Error(`${flag} needs a number, got ${v === undefined ? 'nothing' : `"${v}"`}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = argv[i + 1];
    const take = () => {
      if (v === undefined || v.startsWith('--')) throw new Error(`${f} needs a value`);
      i++;
      return v;
    };
    switch (f) {
      case '--hppc':
        a.hppc.push(fileAtTemp(take()));
        break;
      case '--cc':
        a.cc.push(fileAtTemp(take()));
        break;
      case '--ocv': a.ocv = take(); break;
      case '--interpulse': {
        const last = a.hppc[a.hppc.length - 1];
        if (!last) throw new Error('--interpulse must follow the --hppc file it belongs to');
        last.interpulse = take();
        break;
      }
      case '--out': a.out = take(); break;
      case '--report': a.report = take(); break;
      case '--name': a.name = take(); break;
      case '--source': a.source = take(); break;
      case '--chemistry': {
        const c = take();
        if (!['NCA', 'NMC', 'LFP', 'LCO', 'other'].includes(c)) throw new Error(`--chemistry must be NCA, NMC, LFP, LCO or other, got "${c}"`);
        a.chemistry = c as Args['chemistry'];
        break;
      }
      case '--q-ah': a.qAh = num(f, take()); break;
      case '--rc': {
        const r = num(f, take());
        if (r !== 1 && r !== 2) throw new Error('--rc must be 1 or 2');
        a.rc = r;
        break;
      }
      case '--v-min': a.vMin = num(f, take()); break;
      case '--v-max': a.vMax = num(f, take()); break;
      case '--ref-current-a': a.refCurrent = num(f, take()); break;
      case '--mass-kg': a.massKg = num(f, take()); break;
      case '--cp': a.cp = num(f, take()); break;
      case '--area-m2': a.areaM2 = num(f, take()); break;
      case '--extrapolate-c': a.extrapolate.push(num(f, take())); break;
      case '--ocv-from-temp': a.ocvFromTempC = num(f, take()); break;
      case '--surface-soc': a.surface = true; break;
      case '--slow-branch-shape': {
        const m = take();
        if (m !== 'flat' && m !== 'dcir') throw new Error('--slow-branch-shape must be flat or dcir');
        a.slowShape = m;
        break;
      }
      case '--ocv-shape-capacity': {
        const m = take();
        if (m !== 'fit' && m !== 'none') throw new Error('--ocv-shape-capacity must be fit or none');
        a.ocvShapeCapacity = m;
        break;
      }
      case '--low-soc-r': {
        const m = take();
        if (m !== 'flat' && m !== 'log-linear') throw new Error('--low-soc-r must be flat or log-linear');
        a.lowSoc = m;
        break;
      }
      case '-h':
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument "${f}"\n${USAGE}`);
    }
  }
  if (a.hppc.length === 0) throw new Error(`--hppc is required\n${USAGE}`);
  if (!a.out) throw new Error(`--out is required\n${USAGE}`);
  return a;
}

/** OCV shape from a slow discharge from full: SOC = 1 + ah / Q, discharge rows only. */
function ocvShapeFromSlowDischarge(file: string, qAh: number): { soc: number[]; voltageV: number[] } {
  const s = loadCellCsv(file, { duplicateTime: 'keep-last', invalidRows: 'skip' });
  const pts: [number, number][] = [];
  for (let k = 0; k < s.rows; k++) if (s.currentA[k] > 0.01) pts.push([1 + s.ahAh[k] / qAh, s.voltageV[k]]);
  if (pts.length < 10) throw new Error(`${file}: no slow discharge found (need rows with current_A < -0.01 A)`);
  // stop at the first charge: keep the monotone discharge branch
  pts.sort((x, y) => x[0] - y[0]);
  const soc: number[] = [];
  const v: number[] = [];
  for (const [z, u] of pts) {
    if (soc.length && z <= soc[soc.length - 1] + 1e-6) continue;
    soc.push(Number(z.toFixed(6)));
    v.push(u);
  }
  // light smoothing (5-point moving average) to remove the 1 mV logger steps
  const vs = v.map((_, i) => {
    let acc = 0;
    let m = 0;
    for (let j = Math.max(0, i - 2); j <= Math.min(v.length - 1, i + 2); j++) {
      acc += v[j];
      m++;
    }
    return acc / m;
  });
  return { soc, voltageV: vs };
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`identify: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    let ocvShape = args.ocv ? ocvShapeFromSlowDischarge(args.ocv, args.qAh) : undefined;
    let shapeFit: ReturnType<typeof fitOcvShapeCapacity> | null = null;
    if (ocvShape && args.ocvShapeCapacity === 'fit') {
      // put the slow-discharge shape on the HPPC's charge axis (the tests may be months apart)
      const refIdx = args.ocvFromTempC !== undefined ? args.hppc.findIndex((h) => h.tempC === args.ocvFromTempC) : 0;
      const ref = args.hppc[Math.max(0, refIdx)];
      const sr = loadCellCsv(ref.file, { duplicateTime: 'keep-last', invalidRows: 'skip' });
      shapeFit = fitOcvShapeCapacity(ocvShape, restPointsOf(sr, { capacityAh: args.qAh }));
      ocvShape = scaleOcvShape(ocvShape, shapeFit.gamma);
      process.stderr.write(`identify: OCV shape capacity factor ${shapeFit.gamma.toFixed(4)} (${shapeFit.points} rest points, ${shapeFit.rmseMv.toFixed(1)} mV)\n`);
    }
    const ids: TemperatureIdentification[] = [];
    const interpulse: (ReturnType<typeof loadCellCsv> | null)[] = [];
    const merged: (ReturnType<typeof mergeHppcWithInterpulse> | null)[] = [];
    const temps: number[] = [];
    let coolTau = NaN;
    for (const h of args.hppc) {
      const s = loadCellCsv(h.file, { duplicateTime: 'keep-last', invalidRows: 'skip' });
      process.stderr.write(`identify: ${path.basename(h.file)} (${s.rows} rows)\n`);
      const id = identifyHppc(s, { capacityAh: args.qAh, rcPairs: args.rc, ocvShape });
      if (id.pulses.length === 0) throw new Error(`${h.file}: no discharge pulses found (current_A below -0.3 A)`);
      // slow discharges between the pulse sets (Panasonic layout: <T>_HPPC_interpulse_discharge.csv next to the pulse file)
      const ip = h.interpulse ?? h.file.replace(/_HPPC_[^/]*\.csv$/, '_HPPC_interpulse_discharge.csv');
      if (args.rc === 2 && ip !== h.file && existsSync(ip)) {
        const si = loadCellCsv(ip, { duplicateTime: 'keep-last', invalidRows: 'skip' });
        // the whole test on one time axis (for the surface-SOC fit, which runs the model over it)
        const mg = mergeHppcWithInterpulse(s, si);
        merged.push(mg);
        process.stderr.write(`identify: ${path.basename(ip)} merged with the pulse file (clock offset ${mg.offsetS.toFixed(1)} s, ${mg.insertedRows} rows)\n`);
        // same test temperature only (the interpulse files can hold later tests at other temperatures)
        const tw: [number, number] = [id.tempC - 6, id.tempC + 6];
        id.long = identifyLongRelaxation(si, { capacityAh: args.qAh, tempWindowC: tw });
        interpulse.push(si);
        process.stderr.write(`identify: ${path.basename(ip)}: ${id.long.relaxations.length} relaxations, tau ${id.long.tauS.toFixed(0)} s\n`);
      } else {
        interpulse.push(null);
        merged.push(null);
      }
      ids.push(id);
      temps.push(h.tempC ?? Math.round(id.tempC));
      const tau = coolingTimeConstantS(s);
      if (Number.isFinite(tau) && (!Number.isFinite(coolTau) || (h.tempC ?? id.tempC) > 20)) coolTau = tau;
    }
    if (args.ocvFromTempC !== undefined) {
      // one (thermodynamic) OCV for all temperatures: refit the slow branch of every temperature
      // as a relaxation toward that OCV, so that incomplete relaxation at low temperature ends up
      // in the slow RC branch instead of in the OCV
      const k = temps.indexOf(args.ocvFromTempC);
      if (k < 0) throw new Error(`--ocv-from-temp ${args.ocvFromTempC}: no --hppc file at that temperature (have ${temps.join(', ')})`);
      const ocvRef = ocvCurveOf(ids[k], ocvShape);
      ids.forEach((id, i) => {
        const si = interpulse[i];
        if (!si || i === k) return;
        id.long = identifyLongRelaxation(si, { capacityAh: args.qAh, ocvAt: ocvRef, tempWindowC: [id.tempC - 6, id.tempC + 6] });
        process.stderr.write(`identify: ${temps[i]} degC slow branch toward the ${args.ocvFromTempC} degC OCV: tau ${id.long.tauS.toFixed(0)} s\n`);
      });
    }
    const cpTot = args.massKg * args.cp;
    const hA = Number.isFinite(coolTau) ? cpTot / coolTau : 10 * args.areaM2;
    const socBreakpoints = Array.from({ length: 41 }, (_, k) => Number((k / 40).toFixed(3)));
    const iref = args.refCurrent ?? args.qAh;
    const maxI = Math.max(...ids.flatMap((d) => d.pulses.map((p) => p.currentA)));
    const cb = [0, 0.5, 1, 2, 4, 6].map((c) => Number((c * args.qAh).toFixed(3))).filter((c) => c <= maxI * 1.05 || c === 0);
    const { params, report } = buildCellParams(ids, {
      name: args.name,
      chemistry: args.chemistry,
      source:
        args.source ??
        `identified by twinbench identify from ${args.hppc.map((h) => path.basename(h.file)).join(', ')}${args.ocv ? ` and ${path.basename(args.ocv)}` : ''}`,
      capacityAh: args.qAh,
      vMinV: args.vMin,
      vMaxV: args.vMax,
      socBreakpoints,
      tempBreakpointsC: temps,
      referenceCurrentA: iref,
      currentBreakpointsA: cb,
      ocvShape,
      rcPairs: args.rc,
      thermal: { massKg: args.massKg, cpJPerKgK: args.cp, hConvWPerM2K: Number((hA / args.areaM2).toFixed(3)), areaM2: args.areaM2 },
      extrapolateToC: args.extrapolate,
      ocvFromTempC: args.ocvFromTempC,
      lowSocExtrapolation: args.lowSoc,
      slowBranchSocShape: args.slowShape,
    });
    let surfReport: Record<string, unknown> | null = null;
    if (args.surface) {
      // surface-SOC lag per temperature, by output error over the pulse windows of the whole test
      // (the pulse file alone when there is no interpulse file), every other parameter fixed
      const fits: (SurfaceSocFit | null)[] = params.tempBreakpointsC.map(() => null);
      const per: Record<string, unknown> = {};
      for (let i = 0; i < temps.length; i++) {
        const series = merged[i] ?? loadCellCsv(args.hppc[i].file, { duplicateTime: 'keep-last', invalidRows: 'skip' });
        const fit = fitSurfaceSoc(series, params, { soc0: 1 + series.ahAh[0] / args.qAh, rcPairs: args.rc });
        fits[params.tempBreakpointsC.indexOf(temps[i])] = fit;
        per[`T${temps[i]}`] = { tauS: Number(fit.tauS.toPrecision(4)), lagS: Number(fit.lagS.toPrecision(4)), pulseWindowRmseMv: Number(fit.rmseMv.toFixed(2)), withoutMv: Number(fit.rmseWithoutMv.toFixed(2)), atBound: fit.atBound };
        process.stderr.write(`identify: ${temps[i]} degC surface-SOC lag: tau ${fit.tauS.toFixed(1)} s, lag ${fit.lagS.toFixed(2)} s, pulse windows ${fit.rmseWithoutMv.toFixed(2)} -> ${fit.rmseMv.toFixed(2)} mV${fit.atBound ? ' (on a bound: not used)' : ''}\n`);
      }
      const rows = surfaceSocRows(params.tempBreakpointsC, fits);
      params.surfaceSoc = { tauS: rows.tauS, lagS: rows.lagS };
      surfReport = { method: 'output error over the pulse windows of the merged HPPC test (sim/battery/identify.ts fitSurfaceSoc)', perTemperature: per, rowSource: rows.source };
    }
    let sustainedReport: Record<string, unknown> | null = null;
    const sustainedTraces = new Map<number, unknown[]>();
    if (args.cc.length > 0) {
      // sustained-load correction of R1 from constant-current discharges, per test temperature
      const per: Record<string, unknown> = {};
      const nearestTemp = (x: number) => temps.reduce((b, t) => (Math.abs(t - x) < Math.abs(b - x) ? t : b));
      const byTemp = new Map<number, { file: string; series: ReturnType<typeof loadCellCsv> }[]>();
      for (const c of args.cc) {
        const series = loadCellCsv(c.file, { duplicateTime: 'keep-last', invalidRows: 'skip' });
        if (!series.currentA.some((I) => I > 0.05 * args.qAh)) throw new Error(`--cc ${c.file}: no discharge found (need rows with current_A below ${(-0.05 * args.qAh).toFixed(3)} A)`);
        let mean = 0;
        for (let i = 0; i < series.rows; i++) mean += series.tempC[i] / series.rows;
        const nominal = c.tempC ?? nearestTemp(mean);
        if (!temps.includes(nominal)) throw new Error(`--cc ${c.file}@${nominal}: no --hppc file at that temperature (have ${temps.join(', ')})`);
        byTemp.set(nominal, [...(byTemp.get(nominal) ?? []), { file: c.file, series }]);
      }
      for (const [tempC, tests] of byTemp) {
        // the test temperature's row, and the rows extrapolated from it (nearest identified temperature)
        const rows = params.tempBreakpointsC
          .map((t, i) => [t, i] as const)
          .filter(([t]) => t === tempC || (args.extrapolate.includes(t) && nearestTemp(t) === tempC))
          .map(([, i]) => i);
        const r = fitSustainedR1(tests.map((t) => ({ series: t.series, soc0: 1 })), params, { rows, qAh: args.qAh, rcPairs: args.rc });
        params.r1Ohm = r.params.r1Ohm;
        params.c1F = r.params.c1F;
        const { traces, ...fit } = r.fit;
        per[`T${tempC}`] = { files: tests.map((t) => path.basename(t.file)), rowsC: rows.map((i) => params.tempBreakpointsC[i]), ...fit };
        sustainedTraces.set(tempC, tests.map((t, i) => ({ file: path.basename(t.file), ...traces[i] })));
        process.stderr.write(`identify: ${tempC} degC sustained R1 from ${tests.length} constant-current test(s): ${r.fit.rmseBeforeMv.join(' / ')} -> ${r.fit.rmseAfterMv.join(' / ')} mV\n`);
      }
      sustainedReport = {
        method: 'R1 rescaled per SOC so that the model holds the loaded voltage of constant-current discharges from full (sim/battery/identify.ts fitSustainedR1)',
        perTemperature: per,
      };
    }
    params.identification = {
      ...report,
      method: 'R0 from pulse onset/release, RC pairs by output-error least squares over pulse + rest (sim/battery/identify.ts)',
      referenceCurrentA: iref,
      coolingTimeConstantS: Number.isFinite(coolTau) ? Number(coolTau.toFixed(1)) : null,
      extrapolatedTempsC: args.extrapolate,
      ocvFromTempC: args.ocvFromTempC ?? null,
      ocvShapeCapacityFactor: shapeFit ? Number(shapeFit.gamma.toFixed(5)) : null,
      ocvShapeCapacityFitRmseMv: shapeFit ? Number(shapeFit.rmseMv.toFixed(2)) : null,
      surfaceSoc: surfReport,
      sustainedR1: sustainedReport,
      command: `twinbench identify ${argv.join(' ')}`,
    };
    writeFileSync(args.out!, JSON.stringify(params) + '\n');
    process.stderr.write(`identify: wrote ${args.out}\n`);
    if (args.report) {
      const full = ids.map((d, i) => ({ nominalTempC: temps[i], ...d, ...(sustainedTraces.has(temps[i]) ? { sustainedR1Tests: sustainedTraces.get(temps[i]) } : {}) }));
      writeFileSync(args.report, JSON.stringify(full) + '\n');
      process.stderr.write(`identify: wrote residual report ${args.report}\n`);
    }
    process.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof CsvError) process.stderr.write(`identify: ${e.message}\n`);
    else process.stderr.write(`identify: ${(e as Error).message}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((c) => process.exit(c));
}
