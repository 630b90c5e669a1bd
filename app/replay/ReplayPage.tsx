'use client';
// Replay a measured cell record (`/replay`): the browser's `twinbench replay-cell`. The CSV (and an
// optional parameter file from `twinbench identify`) is read here and handed to the replay worker,
// which parses it, drives the twin open loop with the measured current and temperature, runs the SOC
// EKF on the measured voltage and returns the same metrics as the CLI, with the traces to plot.
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { Plots } from '../plots/Plots';
import type { PanelSpec } from '../plots/channels';
import { usePlotlyPreload } from '../plots/usePlotlyPreload';
import { MAX_CSV_CHARS, MAX_PARAMS_CHARS, Replay, type ReplayChannel, type ReplayOutcome } from '../../workers/replay/Replay';
import { fetchProfiles } from '../workbench/profileFetch';
import { fmtTime, fmtValue, nearestIndex } from '../workbench/cursor';
import css from './replay.module.css';

/** Measured drive cycles in the data folder (GET /api/data/<key>), to try the page without a file. */
const EXAMPLE_FOLDER = 'panasonic-18650pf/drive_cycles_1hz';
const EXAMPLES = [25, 10, 0].flatMap((t) =>
  (t === 25 ? ['Cycle_1', 'Cycle_2', 'Cycle_3', 'Cycle_4', 'HWFTa', 'HWFTb', 'LA92', 'NN', 'US06'] : t === 10 ? ['HWFET', 'LA92', 'NN', 'US06'] : ['HWFET', 'LA92', 'NN', 'UDDS', 'US06']).map(
    (c) => `${t}degC_${c}.csv`,
  ),
);

/** Where the record comes from: a file picked by the user, or an example from the data folder. */
type Source = { kind: 'file'; file: File } | { kind: 'example'; name: string } | null;

/** The record for the worker: a picked file as bytes (transferred, never copied on this thread). */
async function readSource(src: NonNullable<Source>): Promise<{ name: string; csvText?: string; csvBytes?: ArrayBuffer }> {
  if (src.kind === 'example') {
    const key = `${EXAMPLE_FOLDER}/${src.name}`;
    return { name: src.name, csvText: (await fetchProfiles([key]))[key] };
  }
  if (src.file.size > MAX_CSV_CHARS) throw new Error(`${src.file.name} is ${(src.file.size / 1048576).toFixed(0)} MB; the limit is ${MAX_CSV_CHARS / 1048576} MB`);
  return { name: src.file.name, csvBytes: await src.file.arrayBuffer() };
}

const PANELS: PanelSpec[] = [
  {
    title: 'Voltage',
    unit: 'V',
    channels: [
      { name: 'measured_V', label: 'measured' },
      { name: 'model_V', label: 'model (open loop)', dash: 'dot' },
    ],
  },
  { title: 'Model - measured', unit: 'mV', channels: [{ name: 'error_mV', label: 'voltage error' }] },
  { title: 'Current', unit: 'A', channels: [{ name: 'current_A', label: 'current (+ discharge)' }] },
  {
    title: 'SOC',
    unit: '%',
    channels: [
      { name: 'soc_ref', label: 'reference (initial + Ah / Q)', scale: 100 },
      { name: 'ekf_soc', label: 'EKF', scale: 100, dash: 'dot' },
    ],
  },
  { title: 'EKF R scale', unit: '×', channels: [{ name: 'ekf_resistance_scale', label: 'resistance scale k estimated by the EKF (1 = the set)' }] },
  { title: 'Temperature', unit: '°C', channels: [{ name: 'temp_C', label: 'measured cell' }] },
];

/** Metrics shown in the table, in order (the first six are the CLI's --json contract). */
const METRICS: [key: string, label: string, unit: string][] = [
  ['voltage_rmse_mv', 'Voltage RMSE (open loop)', 'mV'],
  ['voltage_max_abs_mv', 'Voltage max |error|', 'mV'],
  ['soc_rmse_pct', 'EKF SOC RMSE', '%'],
  ['soc_max_abs_pct', 'EKF SOC max |error|', '%'],
  ['converge_s', 'EKF within 2 % for good after', 's'],
  ['param_temp_c', 'Mean cell temperature (tables)', '°C'],
  ['soc_mae_pct', 'EKF SOC mean |error|', '%'],
  ['soc_max_abs_after_600s_pct', 'EKF SOC max |error| after 10 min', '%'],
  ['voltage_mae_mv', 'Voltage mean |error|', 'mV'],
  ['ekf_voltage_rmse_mv', 'EKF voltage innovation RMS', 'mV'],
  ['ekf_resistance_scale', 'EKF resistance scale at the end (x the set)', ''],
  ['ekf_resistance_scale_min', 'EKF resistance scale, lowest', ''],
  ['ekf_resistance_scale_max', 'EKF resistance scale, highest', ''],
  ['rows', 'Rows', ''],
  ['duration_s', 'Duration', 's'],
];

type Done = Extract<ReplayOutcome, { status: 'done' }>;
type State = { kind: 'idle' } | { kind: 'running'; progress: number } | { kind: 'done'; out: Done; file: string; elapsedMs: number } | { kind: 'error'; message: string } | { kind: 'cancelled' };

function num(text: string, lo: number, hi: number, name: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < lo || v > hi) throw new Error(`${name} must be a number in [${lo}, ${hi}], got "${text}"`);
  return v;
}

export function ReplayPage() {
  const replay = useRef<Replay | null>(null);
  const [sets, setSets] = useState<string[]>([]);
  const [set, setSet] = useState('panasonic-ncr18650pf');
  const [source, setSource] = useState<Source>(null);
  const csvInput = useRef<HTMLInputElement>(null);
  const [paramsFile, setParamsFile] = useState<File | null>(null);
  const [initialSoc, setInitialSoc] = useState('1');
  const [qAh, setQAh] = useState('2.9');
  const [ekfSoc, setEkfSoc] = useState('0.8');
  const [dedupe, setDedupe] = useState(false);
  const [rcPairs, setRcPairs] = useState<'' | '1' | '2'>('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  /** time (s) picked on the plots, shown as a cursor with the values there */
  const [cursorS, setCursorS] = useState<number | null>(null);
  const paramsInput = useRef<HTMLInputElement>(null);
  const rootRef = useRef<HTMLElement>(null);
  const busyRef = useRef(false);
  /** Cancel pressed while the files were still being read (before the worker had the job) */
  const cancelledRef = useRef(false);
  usePlotlyPreload(rootRef, busyRef);

  useEffect(() => {
    const r = new Replay();
    replay.current = r;
    r.paramSets().then(setSets, () => setSets([]));
    return () => r.terminate();
  }, []);

  async function run() {
    const r = replay.current;
    if (!r || !source) return;
    try {
      if (paramsFile && paramsFile.size > MAX_PARAMS_CHARS) throw new Error(`${paramsFile.name} is larger than ${MAX_PARAMS_CHARS / 1048576} MB`);
      const opts = { initialSoc: num(initialSoc, 0, 1.05, 'Initial SOC'), qAh: num(qAh, 0.001, 1e5, 'Q'), ekfInitialSoc: num(ekfSoc, 0, 1.05, 'EKF initial SOC') };
      setState({ kind: 'running', progress: 0 });
      busyRef.current = true;
      cancelledRef.current = false;
      const t0 = performance.now();
      const [csv, paramsText] = await Promise.all([readSource(source), paramsFile?.text()]);
      if (cancelledRef.current) return setState({ kind: 'cancelled' });
      const params = paramsFile && paramsText !== undefined ? { json: paramsText, fileName: paramsFile.name } : { set };
      let last = 0;
      const out = await r.run({ csvText: csv.csvText, csvBytes: csv.csvBytes, fileName: csv.name, params, dedupeTime: dedupe, rcPairs: rcPairs ? (Number(rcPairs) as 1 | 2) : undefined, ...opts }, (f) => {
        // at most ~10 re-renders a second
        const now = performance.now();
        if (now - last > 100) {
          last = now;
          setState((s) => (s.kind === 'running' ? { kind: 'running', progress: f } : s));
        }
      });
      if (out.status === 'done') {
        setCursorS(null);
        setState({ kind: 'done', out, file: csv.name, elapsedMs: performance.now() - t0 });
      }
      else if (out.status === 'cancelled') setState({ kind: 'cancelled' });
      else setState({ kind: 'error', message: out.message });
    } catch (e) {
      setState({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    } finally {
      busyRef.current = false;
    }
  }

  const running = state.kind === 'running';
  const done = state.kind === 'done' ? state : null;
  const channels: ReplayChannel[] = done?.out.channels ?? [];
  const durationS = done ? done.out.result.duration_s : 0;
  const at = cursorS === null || channels.length === 0 ? -1 : nearestIndex(channels[0].data, cursorS);

  return (
    <main className="subpage" ref={rootRef}>
      <header className="subpage-header">
        <h1>Replay a measured cell record</h1>
        <Link href="/">workbench</Link>
        <Link href="/live">live devices</Link>
      </header>
      <p className="muted">
        The twin runs open loop from the initial SOC with the record&apos;s current and cell temperature; the SOC EKF runs on its measured
        voltage. Columns <code>time_s,current_A,voltage_V,ah_Ah,battery_temp_degC</code> (current negative on discharge, as in the
        Panasonic files; non-uniform time steps are fine). Same numbers as <code>twinbench replay-cell --json</code>.
      </p>

      <section className={css.form} aria-label="Replay settings">
        <label>
          Record (CSV)
          <input
            ref={csvInput}
            type="file"
            accept=".csv,text/csv"
            data-testid="replay-csv"
            onChange={(e) => {
              const file = e.target.files?.[0];
              setSource(file ? { kind: 'file', file } : null);
            }}
          />
        </label>
        <label>
          or a measured example
          <select
            data-testid="replay-example"
            value={source?.kind === 'example' ? source.name : ''}
            onChange={(e) => {
              if (csvInput.current) csvInput.current.value = '';
              setSource(e.target.value ? { kind: 'example', name: e.target.value } : null);
            }}
          >
            <option value="">Panasonic 18650PF drive cycles…</option>
            {EXAMPLES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <label>
          Parameters
          <select value={set} onChange={(e) => setSet(e.target.value)} disabled={!!paramsFile} data-testid="replay-set">
            {(sets.length ? sets : [set]).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label title="A parameter file written by twinbench identify (or any file of the same schema)">
          or a parameter file (JSON)
          <input ref={paramsInput} type="file" accept=".json,application/json" data-testid="replay-params-file" onChange={(e) => setParamsFile(e.target.files?.[0] ?? null)} />
        </label>
        {paramsFile && (
          <button
            className="btn small"
            onClick={() => {
              setParamsFile(null);
              if (paramsInput.current) paramsInput.current.value = '';
            }}
          >
            use {set}
          </button>
        )}
        <label>
          Initial SOC
          <input className={css.num} value={initialSoc} onChange={(e) => setInitialSoc(e.target.value)} inputMode="decimal" aria-label="Initial SOC" />
        </label>
        <label>
          Q for the reference (Ah)
          <input className={css.num} value={qAh} onChange={(e) => setQAh(e.target.value)} inputMode="decimal" aria-label="Q for the reference SOC (Ah)" />
        </label>
        <label>
          EKF starts at SOC
          <input className={css.num} value={ekfSoc} onChange={(e) => setEkfSoc(e.target.value)} inputMode="decimal" aria-label="EKF initial SOC" />
        </label>
        <label>
          RC pairs
          <select value={rcPairs} onChange={(e) => setRcPairs(e.target.value as '' | '1' | '2')} aria-label="RC pairs">
            <option value="">the set&apos;s</option>
            <option value="1">1</option>
            <option value="2">2</option>
          </select>
        </label>
        <label className={css.check}>
          <input type="checkbox" checked={dedupe} onChange={(e) => setDedupe(e.target.checked)} /> merge repeated time stamps
        </label>
        <button className="btn primary" onClick={() => void run()} disabled={!source || running} data-testid="replay-run">
          ▶ Replay
        </button>
        <button
          className="btn"
          onClick={() => {
            cancelledRef.current = true;
            replay.current?.cancel();
          }}
          disabled={!running}
          data-testid="replay-cancel"
        >
          ■ Cancel
        </button>
        <div className="progress" aria-live="polite" data-testid="replay-status">
          {running && (
            <>
              <div className="progress-bar">
                <div className="progress-fill" style={{ width: `${Math.round(state.progress * 100)}%` }} />
              </div>
              <span className="progress-text">{Math.round(state.progress * 100)} %</span>
            </>
          )}
          {done && (
            <span className="progress-text">
              {done.file}: {done.out.result.rows.toLocaleString('en')} rows in {(done.elapsedMs / 1000).toFixed(2)} s
            </span>
          )}
          {state.kind === 'cancelled' && <span className="progress-text">Cancelled.</span>}
        </div>
      </section>

      {state.kind === 'error' && (
        <pre className={css.error} role="alert" data-testid="replay-error">
          {state.message}
        </pre>
      )}

      {done && (
        <>
          <table className={css.metrics} data-testid="replay-metrics">
            <tbody>
              {METRICS.map(([key, label, unit]) => {
                const v = (done.out.result as unknown as Record<string, number | null>)[key];
                return (
                  <tr key={key}>
                    <th scope="row">{label}</th>
                    <td data-testid={`metric-${key}`}>{v === null ? (key === 'converge_s' ? 'never' : '–') : String(v)}</td>
                    <td className="muted">{unit}</td>
                    <td className="muted">
                      <code>{key}</code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted">
            Parameters {done.out.result.param_set}, {done.out.result.rc_pairs} RC pair{done.out.result.rc_pairs === 1 ? '' : 's'}; reference SOC = {done.out.result.initial_soc} + Ah / {done.out.result.q_ah}; cell
            temperature {done.out.result.param_temp_min_c} to {done.out.result.param_temp_max_c} °C.
            {done.out.duplicateTimeRows > 0 && ` ${done.out.duplicateTimeRows} row(s) merged or dropped for a repeated time stamp.`}
          </p>
          {done.out.result.warnings.length > 0 && (
            <ul className={css.warnings} data-testid="replay-warnings">
              {done.out.result.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <p className={css.readout} data-testid="replay-readout">
            {at < 0
              ? 'Click a plot to read the values at that time.'
              : channels.map((c) => (
                  <span key={c.name}>
                    {c.name === 'time_s' ? `t = ${fmtTime(c.data[at], durationS)}` : `${c.name} ${fmtValue(c.data[at])}`}
                  </span>
                ))}
          </p>
          <div className={css.plots}>
            <Plots channels={channels} durationS={durationS} runKey={`${done.file}:${done.elapsedMs}`} panels={PANELS} cursorS={cursorS} onPick={setCursorS} />
          </div>
          <details>
            <summary>JSON (as <code>replay-cell --json</code>)</summary>
            <pre className={css.json}>{JSON.stringify({ csv: done.file, ...done.out.result }, null, 2)}</pre>
          </details>
        </>
      )}
    </main>
  );
}
