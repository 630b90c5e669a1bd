// Replay of an uploaded cell record (CSV text) through the twin and the SOC EKF: the browser's
// side of `twinbench replay-cell`, the same parser (sim/estimation/cellCsv.ts) and the same
// replayCell, so the page and the CLI print the same numbers. Runs in a worker (ReplayImpl.worker.ts);
// plain class here so it can be tested in Node.
import { z } from 'zod';
import { CsvError, parseCellCsv } from '../../sim/estimation/cellCsv';
import { replayCell, type ReplayResult } from '../../sim/estimation/replay';
import { getParamSet, listParamSets } from '../../sim/battery/paramSets';
import { parseCellParamsJson, type CellParams } from '../../sim/battery/params';

/** Largest CSV or parameter text accepted (characters). */
export const MAX_CSV_CHARS = 64 * 1024 * 1024;
export const MAX_PARAMS_CHARS = 4 * 1024 * 1024;

export const ReplayRequestSchema = z
  .object({
    /** the record as text, or as UTF-8 bytes (transferred to the worker: no copy of a large file) */
    csvText: z.string().max(MAX_CSV_CHARS, `the CSV is larger than ${MAX_CSV_CHARS / 1024 / 1024} MB`).optional(),
    csvBytes: z
      .instanceof(ArrayBuffer)
      .refine((b) => b.byteLength <= MAX_CSV_CHARS, `the CSV is larger than ${MAX_CSV_CHARS / 1024 / 1024} MB`)
      .optional(),
    fileName: z.string().min(1).max(300),
    params: z.union([
      z.object({ set: z.string().min(1).max(100) }).strict(),
      z.object({ json: z.string().max(MAX_PARAMS_CHARS, 'the parameter file is larger than 4 MB'), fileName: z.string().min(1).max(300) }).strict(),
    ]),
    initialSoc: z.number().min(0).max(1.05).default(1),
    qAh: z.number().gt(0).max(1e5).default(2.9),
    ekfInitialSoc: z.number().min(0).max(1.05).default(0.8),
    /** RC pairs of the model and the EKF (default: the set's own, 2 when it has a second branch) */
    rcPairs: z.union([z.literal(1), z.literal(2)]).optional(),
    /** rows repeating the previous time stamp: keep the later one instead of stopping */
    dedupeTime: z.boolean().default(false),
  })
  .strict()
  .refine((r) => (r.csvText === undefined) !== (r.csvBytes === undefined), 'give the record as csvText or as csvBytes (one of them)');
export type ReplayRequest = z.input<typeof ReplayRequestSchema>;

export interface ReplayChannel {
  name: string;
  unit: string;
  data: Float64Array;
}

export type ReplayOutcome =
  | { status: 'done'; result: Omit<ReplayResult, 'trace'>; channels: ReplayChannel[]; duplicateTimeRows: number }
  | { status: 'error'; message: string };

export type ReplayProgress = (fraction: number) => void;

function paramsOf(spec: z.infer<typeof ReplayRequestSchema>['params']): CellParams {
  return 'set' in spec ? getParamSet(spec.set) : parseCellParamsJson(spec.json, spec.fileName);
}

export class ReplayImpl {
  constructor(private readonly transfer: <T>(value: T, transferables: Transferable[]) => T = (v) => v) {}

  paramSets(): string[] {
    return listParamSets();
  }

  run(request: ReplayRequest, onProgress?: ReplayProgress): ReplayOutcome {
    const req = ReplayRequestSchema.safeParse(request);
    if (!req.success) return { status: 'error', message: req.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('\n') };
    const r = req.data;
    try {
      const p = paramsOf(r.params);
      const text = r.csvText ?? new TextDecoder().decode(r.csvBytes);
      const s = parseCellCsv(text, r.fileName, { duplicateTime: r.dedupeTime ? 'keep-last' : 'error', mergeOptionName: '"merge repeated time stamps"' });
      const { trace, ...result } = replayCell(s, p, { initialSoc: r.initialSoc, qAh: r.qAh, ekfInitialSoc: r.ekfInitialSoc, rcPairs: r.rcPairs, trace: true, onProgress });
      const t = trace!;
      const n = s.rows;
      const errMv = new Float64Array(n);
      for (let k = 0; k < n; k++) errMv[k] = 1000 * (t.modelV[k] - s.voltageV[k]);
      const channels: ReplayChannel[] = [
        { name: 'time_s', unit: 's', data: t.timeS },
        { name: 'measured_V', unit: 'V', data: s.voltageV },
        { name: 'model_V', unit: 'V', data: t.modelV },
        { name: 'error_mV', unit: 'mV', data: errMv },
        { name: 'current_A', unit: 'A', data: s.currentA },
        { name: 'soc_ref', unit: '1', data: t.socRef },
        { name: 'ekf_soc', unit: '1', data: t.ekfSoc },
        { name: 'ekf_resistance_scale', unit: '1', data: t.ekfResistanceScale },
        { name: 'temp_C', unit: 'degC', data: s.tempC },
      ];
      onProgress?.(1);
      const out: ReplayOutcome = { status: 'done', result, channels, duplicateTimeRows: s.duplicateTimeRows };
      return this.transfer(out, channels.map((c) => c.data.buffer));
    } catch (e) {
      return { status: 'error', message: e instanceof CsvError || e instanceof Error ? e.message : String(e) };
    }
  }
}
