// Cell parameter schema (H1). Equivalent-circuit (Thevenin) cell with 1 or 2 RC pairs,
// tables over [temperature][SOC], lumped thermal node (optionally with a jig/coolant node).
// Units: SI (Ohm, F, V, K differences), temperatures in degC, capacity in Ah.
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const positive = finite.refine((v) => v > 0, { message: 'must be > 0' });
const nonNegative = finite.refine((v) => v >= 0, { message: 'must be >= 0' });
const table2 = z.array(z.array(finite).min(1)).min(1);

export const ThermalSchema = z.object({
  massKg: positive.describe('cell mass, kg'),
  cpJPerKgK: positive.describe('specific heat capacity, J/(kg K)'),
  hConvWPerM2K: nonNegative.describe('convection coefficient to ambient (or to the jig when jig is set), W/(m2 K)'),
  areaM2: nonNegative.describe('cooled surface area, m2'),
  jig: z
    .object({
      heatCapacityJPerK: positive.describe('jig / coolant node heat capacity, J/K'),
      jigAmbientWPerK: nonNegative.describe('jig-to-ambient conductance, W/K'),
    })
    .optional()
    .describe('optional second thermal node between the cell and ambient (PyBaMM Thevenin jig)'),
});

export const HysteresisSchema = z.object({
  /** Maximum hysteresis voltage M [temp] (V); V = OCV + M h, h in [-1, 1]. */
  maxV: z.array(nonNegative).min(1),
  /** Rate constant gamma (dimensionless), Plett 2004 one-state hysteresis. */
  gamma: nonNegative,
});

export const CurrentDependenceSchema = z.object({
  /** |I| breakpoints (A), ascending, starting at 0 ideally. */
  currentBreakpointsA: z.array(nonNegative).min(1),
  /** Multiplier of R0 at [temp][|I|] (1 = table value). */
  r0Scale: table2,
  /** Multiplier of R1 (and R2) at [temp][|I|]; tau is kept, so C scales by 1/scale. */
  rcScale: table2.optional(),
});

/**
 * Surface-SOC state (H9): solid-diffusion lag of the particle surface behind the bulk SOC,
 *   d(delta)/dt = (lagS I / (3600 Q) - delta) / tauS,   z_surf = z - delta,
 * with OCV and every resistance table looked up at z_surf. One value per tempBreakpointsC (or
 * one for all); interpolated linearly in temperature, clamped outside.
 */
export const SurfaceSocSchema = z.object({
  /** time constant of the surface lag, s */
  tauS: z.array(positive).min(1),
  /** steady-state lag as seconds of discharge at the present current (delta_ss = I lagS / 3600 Q), s */
  lagS: z.array(nonNegative).min(1),
});

export const CellParamsSchema = z
  .object({
    name: z.string().min(1),
    chemistry: z.enum(['NCA', 'NMC', 'LFP', 'LCO', 'other']),
    source: z.string().min(1).describe('citation / provenance of the numbers'),
    capacityAh: positive,
    vMinV: positive,
    vMaxV: positive,
    socBreakpoints: z.array(finite).min(2),
    tempBreakpointsC: z.array(finite).min(1),
    ocvV: table2.describe('[temp][soc] open-circuit voltage, V'),
    r0Ohm: table2.describe('[temp][soc] series resistance, Ohm'),
    r1Ohm: table2.describe('[temp][soc] RC pair 1 resistance, Ohm'),
    c1F: table2.describe('[temp][soc] RC pair 1 capacitance, F'),
    r2Ohm: table2.optional(),
    c2F: table2.optional(),
    /** Entropic coefficient dU/dT (V/K) over SOC ... */
    dUdTVPerK: z.array(finite).optional(),
    /** ... or over [temp][soc] (takes precedence). */
    dUdTVPerKTable: table2.optional(),
    hysteresis: HysteresisSchema.optional(),
    currentDependence: CurrentDependenceSchema.optional(),
    surfaceSoc: SurfaceSocSchema.optional(),
    thermal: ThermalSchema,
    notes: z.string().optional(),
    /** free-form provenance / fit quality, not used by the model. */
    identification: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((p, ctx) => {
    const asc = (arr: number[], path: string, strict = true) => {
      for (let i = 1; i < arr.length; i++) {
        if (strict ? !(arr[i] > arr[i - 1]) : !(arr[i] >= arr[i - 1])) {
          ctx.addIssue({ code: 'custom', path: [path, i], message: `${path} must be strictly ascending` });
          return;
        }
      }
    };
    asc(p.socBreakpoints, 'socBreakpoints');
    asc(p.tempBreakpointsC, 'tempBreakpointsC');
    if (p.vMinV >= p.vMaxV) ctx.addIssue({ code: 'custom', path: ['vMinV'], message: 'vMinV must be below vMaxV' });
    const nT = p.tempBreakpointsC.length;
    const nS = p.socBreakpoints.length;
    const shape = (t: number[][] | undefined, key: string, positiveOnly: boolean) => {
      if (!t) return;
      if (t.length !== nT) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} needs ${nT} rows (one per tempBreakpointsC), got ${t.length}` });
        return;
      }
      t.forEach((row, i) => {
        if (row.length !== nS) ctx.addIssue({ code: 'custom', path: [key, i], message: `${key}[${i}] needs ${nS} values (one per socBreakpoints), got ${row.length}` });
        if (positiveOnly)
          row.forEach((v, j) => {
            if (!(v > 0)) ctx.addIssue({ code: 'custom', path: [key, i, j], message: `${key} values must be > 0` });
          });
      });
    };
    shape(p.ocvV, 'ocvV', true);
    shape(p.r0Ohm, 'r0Ohm', false);
    shape(p.r1Ohm, 'r1Ohm', true);
    shape(p.c1F, 'c1F', true);
    shape(p.r2Ohm, 'r2Ohm', true);
    shape(p.c2F, 'c2F', true);
    shape(p.dUdTVPerKTable, 'dUdTVPerKTable', false);
    p.r0Ohm.forEach((row, i) =>
      row.forEach((v, j) => {
        if (!(v >= 0)) ctx.addIssue({ code: 'custom', path: ['r0Ohm', i, j], message: 'r0Ohm values must be >= 0' });
      }),
    );
    if ((p.r2Ohm === undefined) !== (p.c2F === undefined))
      ctx.addIssue({ code: 'custom', path: [p.r2Ohm ? 'c2F' : 'r2Ohm'], message: 'r2Ohm and c2F must be given together' });
    if (p.dUdTVPerK && p.dUdTVPerK.length !== nS)
      ctx.addIssue({ code: 'custom', path: ['dUdTVPerK'], message: `dUdTVPerK needs ${nS} values (one per socBreakpoints)` });
    if (p.hysteresis && p.hysteresis.maxV.length !== nT && p.hysteresis.maxV.length !== 1)
      ctx.addIssue({ code: 'custom', path: ['hysteresis', 'maxV'], message: `hysteresis.maxV needs 1 or ${nT} values` });
    if (p.surfaceSoc) {
      for (const key of ['tauS', 'lagS'] as const)
        if (p.surfaceSoc[key].length !== nT && p.surfaceSoc[key].length !== 1)
          ctx.addIssue({ code: 'custom', path: ['surfaceSoc', key], message: `surfaceSoc.${key} needs 1 or ${nT} values (one per tempBreakpointsC)` });
    }
    if (p.currentDependence) {
      const cd = p.currentDependence;
      asc(cd.currentBreakpointsA, 'currentDependence.currentBreakpointsA');
      for (const key of ['r0Scale', 'rcScale'] as const) {
        const t = cd[key];
        if (!t) continue;
        if (t.length !== nT) ctx.addIssue({ code: 'custom', path: ['currentDependence', key], message: `needs ${nT} rows (one per tempBreakpointsC)` });
        t.forEach((row, i) => {
          if (row.length !== cd.currentBreakpointsA.length)
            ctx.addIssue({ code: 'custom', path: ['currentDependence', key, i], message: `needs ${cd.currentBreakpointsA.length} values (one per currentBreakpointsA)` });
          row.forEach((v, j) => {
            if (!(v > 0)) ctx.addIssue({ code: 'custom', path: ['currentDependence', key, i, j], message: 'must be > 0' });
          });
        });
      }
    }
  });

export type CellParams = z.infer<typeof CellParamsSchema>;

export interface ParamIssue {
  path: (string | number)[];
  message: string;
}

/** Validates unknown input (e.g. a params.json) and returns issues with path + message. */
export function parseCellParams(input: unknown): { ok: true; params: CellParams } | { ok: false; issues: ParamIssue[] } {
  const r = CellParamsSchema.safeParse(input);
  if (r.success) return { ok: true, params: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[], message: i.message })),
  };
}

export function formatParamIssues(issues: ParamIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/** A parameter file's text (e.g. written by `twinbench identify`) -> checked parameters; errors start
 *  with `source` ("<source>: not JSON (...)", "<source>: invalid parameter file:\n<path>: <message>..."). */
export function parseCellParamsJson(text: string, source: string): CellParams {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  const r = parseCellParams(raw);
  if (!r.ok) throw new Error(`${source}: invalid parameter file:\n${formatParamIssues(r.issues)}`);
  return r.params;
}
