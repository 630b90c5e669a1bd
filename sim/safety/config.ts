/**
 * zod schemas for the safety / container configuration blocks (H6), for the scenario language
 * (H3) to embed or reuse: runaway set and module layout, container preset with overrides and fault
 * hooks, BMS limit overrides. Errors are values with a path and a message (validateSafetyConfig).
 */
import { z } from 'zod';
import { listRunawaySets } from './runawaySets';
import { container40ft, type ContainerSpec, type CoolantSpec } from '../thermal/container';
import { bmsLimitsFromCell, type BmsLimits, type Levels } from './bmsMonitor';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const pos = finite.refine((v) => v > 0, { message: 'must be > 0' });
const nonNeg = finite.refine((v) => v >= 0, { message: 'must be >= 0' });
const frac = finite.refine((v) => v >= 0 && v <= 1, { message: 'must be between 0 and 1' });

export const RunawayConfigSchema = z.object({
  set: z.enum(listRunawaySets() as [string, ...string[]]).describe('thermal-runaway parameter set'),
  soc: frac.optional().describe('state of charge 0..1 (scales intercalated Li and stored energy)'),
  cell: z
    .object({ massKg: pos, heatCapJPerK: pos, areaM2: pos, hConvWPerM2K: nonNeg, emissivity: frac })
    .partial()
    .optional()
    .describe('overrides of the set cell format'),
  module: z
    .object({
      rows: z.number().int().min(1).max(1000),
      cols: z.number().int().min(1).max(1000),
      gapM: nonNeg.refine((v) => v < 0.1, { message: 'gap must be below 0.1 m (100 mm)' }),
      contactWPerK: nonNeg.optional(),
      radiation: z.boolean().optional(),
    })
    .optional()
    .describe('cells in a grid with gaps / contacts'),
});

const CoolantSchema = z.object({
  heatCapJPerK: pos,
  nodeToCoolantWPerK: nonNeg,
  flowWPerK: pos,
  chillerCapacityW: nonNeg,
  copChiller: pos,
  setpointC: finite,
  bandK: pos,
  minSupplyC: finite,
  pumpPowerW: nonNeg,
});

export const ContainerConfigSchema = z
  .object({
    preset: z.literal('40ft'),
    nodes: z.number().int().min(1).optional().describe('battery nodes (1 per rack ... 1 per cell)'),
    cells: z.number().int().min(1).optional(),
    coolingCapacityW: nonNeg.optional(),
    heatingCapacityW: nonNeg.optional(),
    setpointC: finite.optional(),
    heatSetpointC: finite.optional(),
    bandK: pos.optional(),
    solarAbsorptivity: frac.optional(),
    airChangesPerHour: nonNeg.optional(),
    coolant: CoolantSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const cells = c.cells ?? 8000;
    const nodes = c.nodes ?? 20;
    if (cells % nodes !== 0) ctx.addIssue({ code: 'custom', path: ['nodes'], message: `cells (${cells}) must be a multiple of nodes (${nodes})` });
    if (c.setpointC !== undefined && c.heatSetpointC !== undefined && c.heatSetpointC >= c.setpointC)
      ctx.addIssue({ code: 'custom', path: ['heatSetpointC'], message: 'heating set-point must be below the cooling set-point' });
  });

/** Fault hooks of the container (what the fault language sets at run time). */
export const ContainerHooksSchema = z.object({
  hvacFailed: z.boolean().optional(),
  capacityFactor: frac.optional(),
  fanFactor: frac.optional(),
  setpointOffsetK: finite.optional(),
  coolantFlowFactor: frac.optional(),
  chillerCapacityFactor: frac.optional(),
  chillerFailed: z.boolean().optional(),
});

const LevelsSchema = z.object({ warning: finite, alarm: finite, trip: finite });

export const BmsLimitsOverrideSchema = z
  .object({
    overVoltageV: LevelsSchema,
    underVoltageV: LevelsSchema,
    overTempDischargeC: LevelsSchema,
    overTempChargeC: LevelsSchema,
    underTempDischargeC: LevelsSchema,
    underTempChargeC: LevelsSchema,
    overCurrentDischargeA: LevelsSchema,
    overCurrentChargeA: LevelsSchema,
    gasPpm: LevelsSchema,
    debounceS: LevelsSchema,
  })
  .partial()
  .superRefine((o, ctx) => {
    const upper = ['overVoltageV', 'overTempDischargeC', 'overTempChargeC', 'overCurrentDischargeA', 'overCurrentChargeA', 'gasPpm'] as const;
    const lower = ['underVoltageV', 'underTempDischargeC', 'underTempChargeC'] as const;
    for (const k of upper) {
      const l = o[k];
      if (l && !(l.warning <= l.alarm && l.alarm <= l.trip)) ctx.addIssue({ code: 'custom', path: [k], message: 'upper limits need warning <= alarm <= trip' });
    }
    for (const k of lower) {
      const l = o[k];
      if (l && !(l.warning >= l.alarm && l.alarm >= l.trip)) ctx.addIssue({ code: 'custom', path: [k], message: 'lower limits need warning >= alarm >= trip' });
    }
    if (o.debounceS && (o.debounceS.warning < 0 || o.debounceS.alarm < 0 || o.debounceS.trip < 0))
      ctx.addIssue({ code: 'custom', path: ['debounceS'], message: 'debounce times must be >= 0 s' });
  });

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

function issuesOf(e: z.ZodError, prefix: (string | number)[]): ConfigIssue[] {
  return e.issues.map((i) => ({ path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] as (string | number)[], message: i.message }));
}

export function parseContainerConfig(input: unknown, prefix: (string | number)[] = []): { ok: true; spec: ContainerSpec } | { ok: false; issues: ConfigIssue[] } {
  const r = ContainerConfigSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: issuesOf(r.error, prefix) };
  const c = r.data;
  const spec = container40ft({ nodes: c.nodes, cells: c.cells, coolingCapacityW: c.coolingCapacityW, coolant: c.coolant as CoolantSpec | undefined });
  if (c.heatingCapacityW !== undefined) spec.hvac.heatingCapacityW = c.heatingCapacityW;
  if (c.setpointC !== undefined) spec.hvac.setpointC = c.setpointC;
  if (c.heatSetpointC !== undefined) spec.hvac.heatSetpointC = c.heatSetpointC;
  if (c.bandK !== undefined) spec.hvac.bandK = c.bandK;
  if (c.solarAbsorptivity !== undefined) spec.solarAbsorptivity = c.solarAbsorptivity;
  if (c.airChangesPerHour !== undefined) spec.airChangesPerHour = c.airChangesPerHour;
  return { ok: true, spec };
}

export function parseBmsLimits(
  cell: { vMinV: number; vMaxV: number; capacityAh: number },
  override: unknown,
  opts: { parallel?: number } = {},
  prefix: (string | number)[] = [],
): { ok: true; limits: BmsLimits } | { ok: false; issues: ConfigIssue[] } {
  const r = BmsLimitsOverrideSchema.safeParse(override ?? {});
  if (!r.success) return { ok: false, issues: issuesOf(r.error, prefix) };
  const base = bmsLimitsFromCell(cell, opts);
  const o = r.data as Partial<Record<keyof BmsLimits, Levels>>;
  return { ok: true, limits: { ...base, ...o } as BmsLimits };
}
