// twinbench replay-cell --csv <file> --params <set or params.json> [--initial-soc X] [--q-ah Q] --json
// Drives the ECM with the measured current and temperature of a CSV (Panasonic column format,
// negative current = discharge, non-uniform time steps allowed) and runs the SOC EKF on the
// measured voltage. Prints the metrics (JSON with --json, a short text summary otherwise).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadCellCsv, CsvError } from './cellCsv';
import { getParamSet, listParamSets } from '../sim/battery/paramSets';
import { parseCellParamsJson, type CellParams } from '../sim/battery/params';
import { replayCell, type ReplayResult } from '../sim/estimation/replay';

export const USAGE = `usage: twinbench replay-cell --csv <file> --params <set or params.json> [--initial-soc X] [--q-ah Q] [--json]
  --csv FILE            measured record: time_s,current_A,voltage_V,ah_Ah,battery_temp_degC (current < 0 = discharge)
  --params NAME|FILE    built-in set (${'{sets}'}) or a params.json file (schema-checked)
  --initial-soc X       true SOC at the first row (default 1.0); SOC_ref = X + ah_Ah / Q
  --q-ah Q              capacity for SOC_ref (default 2.9 Ah)
  --ekf-initial-soc X   EKF start SOC (default 0.8); the open-loop model starts at --initial-soc
  --rc 1|2              RC pairs (default: 2 when the set has them)
  --voltage-std V       EKF measurement noise std (default 0.015 V)
  --ekf-resistance-scale on|off  estimate a scale on every resistance as a fourth EKF state (default on;
                        off: the 3-state filter). JSON: ekf_resistance_scale (end), _min, _max
  --dedupe-time         merge rows whose time stamp repeats the previous row (default: error)
  --current-lag auto|0|1  rows by which the voltage answers a current step late (default auto: detected
                        from the step responses; 1 holds row k-1's current over (t_k-1, t_k])
  --trace-out FILE      write a per-row CSV (time_s, measured_V, model_V, soc_ref, ekf_soc, ekf_resistance_scale)
  --json                print the metrics as one JSON object`;

export function loadParams(spec: string): CellParams {
  if (listParamSets().includes(spec)) return getParamSet(spec);
  if (existsSync(spec) || /\.json$/i.test(spec)) {
    let text: string;
    try {
      text = readFileSync(spec, 'utf8');
    } catch (e) {
      throw new Error(`${spec}: cannot read parameters (${(e as Error).message})`);
    }
    return parseCellParamsJson(text, spec);
  }
  throw new Error(`unknown parameter set '${spec}' (not a file either); known sets: ${listParamSets().join(', ')}`);
}

export async function main(argv: string[]): Promise<number> {
  const usage = USAGE.replace('{sets}', listParamSets().join(', '));
  let csv: string | undefined;
  let params: string | undefined;
  let initialSoc = 1;
  let qAh = 2.9;
  let ekfInitialSoc = 0.8;
  let rc: 1 | 2 | undefined;
  let json = false;
  let dedupe = false;
  let traceOut: string | undefined;
  let voltageStd: number | undefined;
  let currentLag: 'auto' | 0 | 1 = 'auto';
  let resistanceScale = true;
  try {
    for (let i = 0; i < argv.length; i++) {
      const f = argv[i];
      const take = () => {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new Error(`${f} needs a value`);
        i++;
        return v;
      };
      const num = (lo: number, hi: number) => {
        const s = take();
        const x = Number(s);
        if (!Number.isFinite(x) || x < lo || x > hi) throw new Error(`${f} must be a number in [${lo}, ${hi}], got "${s}"`);
        return x;
      };
      switch (f) {
        case '--csv': csv = take(); break;
        case '--params': params = take(); break;
        case '--initial-soc': initialSoc = num(0, 1.2); break;
        case '--q-ah': qAh = num(1e-6, 1e6); break;
        case '--ekf-initial-soc': ekfInitialSoc = num(0, 1.2); break;
        case '--rc': {
          const x = num(1, 2);
          if (x !== 1 && x !== 2) throw new Error('--rc must be 1 or 2');
          rc = x;
          break;
        }
        case '--voltage-std': voltageStd = num(1e-6, 10); break;
        case '--ekf-resistance-scale': {
          const v = take();
          if (v !== 'on' && v !== 'off') throw new Error(`--ekf-resistance-scale must be on or off, got "${v}"`);
          resistanceScale = v === 'on';
          break;
        }
        case '--trace-out': traceOut = take(); break;
        case '--dedupe-time': dedupe = true; break;
        case '--current-lag': {
          const v = take();
          if (v !== 'auto' && v !== '0' && v !== '1') throw new Error(`--current-lag must be auto, 0 or 1, got "${v}"`);
          currentLag = v === 'auto' ? 'auto' : v === '1' ? 1 : 0;
          break;
        }
        case '--json': json = true; break;
        case '-h':
        case '--help':
          process.stdout.write(usage + '\n');
          return 0;
        default:
          throw new Error(`unknown argument "${f}"`);
      }
    }
    if (!csv) throw new Error('--csv is required');
    if (!params) throw new Error('--params is required');
  } catch (e) {
    process.stderr.write(`replay-cell: ${(e as Error).message}\n${usage}\n`);
    return 2;
  }
  let result: ReplayResult;
  try {
    const p = loadParams(params);
    const s = loadCellCsv(csv, { duplicateTime: dedupe ? 'keep-last' : 'error' });
    if (rc === 2 && !(p.r2Ohm && p.c2F)) throw new Error(`--rc 2: parameter set '${p.name}' has only one RC pair`);
    result = replayCell(s, p, { initialSoc, qAh, ekfInitialSoc, rcPairs: rc, currentLag, trace: !!traceOut, ekf: { resistanceScale, ...(voltageStd ? { voltageStdV: voltageStd } : {}) } });
    if (s.duplicateTimeRows > 0) result.warnings.push(`${s.duplicateTimeRows} duplicate row(s) dropped (exact copies of the previous line${dedupe ? ', or repeated time stamps merged by --dedupe-time' : ''})`);
    if (traceOut && result.trace) {
      const t = result.trace;
      const lines = ['time_s,measured_V,model_V,soc_ref,ekf_soc,ekf_resistance_scale'];
      for (let k = 0; k < t.timeS.length; k++) lines.push(`${t.timeS[k]},${s.voltageV[k]},${t.modelV[k].toFixed(5)},${t.socRef[k].toFixed(5)},${t.ekfSoc[k].toFixed(5)},${t.ekfResistanceScale[k].toFixed(4)}`);
      writeFileSync(traceOut, lines.join('\n') + '\n');
    }
    delete result.trace;
  } catch (e) {
    process.stderr.write(`replay-cell: ${e instanceof CsvError ? e.message : (e as Error).message}\n`);
    return 1;
  }
  if (json) process.stdout.write(JSON.stringify({ csv, ...result }) + '\n');
  else {
    process.stdout.write(
      `${csv}\n  open loop: voltage RMSE ${result.voltage_rmse_mv} mV, max ${result.voltage_max_abs_mv} mV\n` +
        `  EKF (start ${result.ekf_initial_soc}): SOC RMSE ${result.soc_rmse_pct} %, max ${result.soc_max_abs_pct} %, within 2 % from ${result.converge_s ?? 'never'} s\n` +
        `  parameters at the measured temperature: mean ${result.param_temp_c} degC (${result.param_temp_min_c}..${result.param_temp_max_c})\n` +
        result.warnings.map((w) => `  warning: ${w}\n`).join(''),
    );
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((c) => process.exit(c));
}
