/**
 * Scenario language v1 (zod v4). One JSON document: which cell (a built-in parameter set or
 * inline parameters), how many in series/parallel, where it starts (SOC, temperature), the
 * ambient, and the experiment: PyBaMM-style step strings (./steps.ts) and repeat blocks.
 *
 * Design choices
 * - No zod `.default()`s: a validated scenario is exactly what was written (so its hash, the
 *   share id, is the hash of what the author wrote). Defaults are documented here (SCENARIO_DEFAULTS,
 *   JSON Schema `default`) and applied by `resolveScenario` (./defaults.ts) when compiling.
 * - Objects are strict: an unknown key is an error ("unknown key 'ambiant' (did you mean
 *   'ambient'?)"), so typos never silently fall back to a default.
 * - Each section is its own exported schema so the scenario issue (#4: assets, init, loads,
 *   faults, criteria) can extend the root object without renaming anything here.
 */
import { z } from 'zod';
import { CellParamsSchema } from '../battery/params';
import { listParamSets } from '../battery/paramSets';
import { parseStep, STEP_EXAMPLES } from './steps';

export const SCENARIO_DEFAULTS = {
  seed: 1,
  series: 1,
  parallel: 1,
  initialTempC: 25,
  ambientTempC: 25,
  dtS: 1,
  /** Whole run guard (7 days of simulated time). */
  maxDurationS: 7 * 86400,
  /** Guard for one experiment step that only ends on a condition (24 h). */
  maxStepDurationS: 86400,
} as const;

/** Largest number of cells in one pack, and of expanded experiment steps (guards). */
export const MAX_CELLS = 100_000;
export const MAX_EXPANDED_STEPS = 1_000_000;

const paramSetNames = listParamSets();

export const StepStringSchema = z
  .string()
  .superRefine((s, ctx) => {
    const r = parseStep(s);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
  })
  .meta({
    title: 'Experiment step',
    description:
      'A PyBaMM-style step: "Discharge|Charge at <A|mA|C|C/N|W|kW> [for <duration>] [or until <V>]", ' +
      '"Hold at <V> until <A|mA|C/N>", "Rest for <duration>". Durations in s, min, h. ' +
      'Voltages are pack terminal voltages (= cell voltage for a single cell). ' +
      'Optional "(1 minute period)" at the end sets the sample period of that step.',
    examples: [...STEP_EXAMPLES],
  });

export interface RepeatBlock {
  repeat: number;
  steps: ExperimentItem[];
}
export type ExperimentItem = string | RepeatBlock;

export const RepeatBlockSchema: z.ZodType<RepeatBlock> = z.lazy(() =>
  z
    .strictObject({
      repeat: z.int().min(1).max(100_000).meta({ description: 'How many times to run `steps` (1..100000).' }),
      steps: z.array(ExperimentItemSchema).min(1).meta({ description: 'Steps (or nested blocks) to repeat.' }),
    })
    .meta({
      title: 'Repeat block',
      description: 'Runs its steps N times, e.g. { "repeat": 3, "steps": ["Discharge at 1C until 2.5 V", "Charge at 0.5C until 4.2 V"] }.',
      // VS Code / Monaco JSON completion snippet (ignored by validators)
      defaultSnippets: [{ label: 'repeat block', body: { repeat: 3, steps: ['${1:Discharge at 1C until 2.5 V}', '${2:Charge at 0.5C until 4.2 V}'] } }],
    }),
);

export const ExperimentItemSchema: z.ZodType<ExperimentItem> = z.lazy(() => z.union([StepStringSchema, RepeatBlockSchema]));

export const ExperimentSchema = z.array(ExperimentItemSchema).min(1).meta({
  description:
    'The experiment: step strings run in order, and { "repeat": N, "steps": [...] } blocks. ' +
    'Example: ["Discharge at 1C until 2.5 V", "Rest for 30 minutes", "Charge at 0.5C until 4.2 V", "Hold at 4.2 V until C/20"].',
  examples: [[...STEP_EXAMPLES.slice(0, 4)]],
});

export const CellSchema = z
  .strictObject({
    paramSet: z
      .enum(paramSetNames as [string, ...string[]], {
        error: (iss) => `unknown parameter set ${JSON.stringify(iss.input)}, expected one of: ${paramSetNames.join(', ')}`,
      })
      .optional()
      .meta({ description: `Built-in cell parameter set: ${paramSetNames.join(', ')}.` }),
    params: CellParamsSchema.optional().meta({
      description: 'Inline cell parameters (same fields as a built-in parameter set), instead of paramSet.',
    }),
  })
  .superRefine((c, ctx) => {
    if (c.paramSet === undefined && c.params === undefined)
      ctx.addIssue({ code: 'custom', message: `give either "paramSet" (one of: ${paramSetNames.join(', ')}) or inline "params"` });
    else if (c.paramSet !== undefined && c.params !== undefined)
      ctx.addIssue({ code: 'custom', path: ['params'], message: 'give either "paramSet" or "params", not both' });
  })
  .meta({ description: 'The cell model: a built-in parameter set by name, or inline parameters.' });

export const PackSpreadSchema = z
  .strictObject({
    capacityRelStd: z.number().min(0).lt(0.5).meta({ description: 'Relative standard deviation of cell capacity (e.g. 0.01 = 1 %), < 0.5.' }),
    r0RelStd: z.number().min(0).lt(1).meta({ description: 'Relative standard deviation of cell series resistance R0, < 1.' }),
    socAbsStd: z.number().min(0).lt(0.5).optional().meta({ description: 'Absolute standard deviation of the initial cell SOC (e.g. 0.01).', default: 0 }),
  })
  .meta({ description: 'Cell-to-cell manufacturing spread, drawn once from the run seed.' });

export const BalancingSchema = z
  .strictObject({
    thresholdV: z.number().positive().max(1).optional().meta({ description: 'A group bleeds when it is this much above the lowest group, V.', default: 0.005 }),
    bleedOhm: z.number().positive().max(1e6).optional().meta({ description: 'Bleed resistance per series group, Ohm.', default: 33 }),
    when: z.enum(['rest-or-charge', 'always']).optional().meta({ description: 'When balancing may run.', default: 'rest-or-charge' }),
  })
  .meta({ description: 'Passive balancing: a bleed resistor across every series group ({} for the defaults).' });

export const PackSchema = z
  .strictObject({
    series: z.int().min(1).max(10_000).meta({ description: 'Cells (or parallel groups) in series.', default: 1 }),
    parallel: z.int().min(1).max(1_000).meta({ description: 'Cells in parallel in each group.', default: 1 }),
    spread: PackSpreadSchema.optional(),
    balancing: BalancingSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.series * p.parallel > MAX_CELLS)
      ctx.addIssue({ code: 'custom', message: `pack has ${p.series * p.parallel} cells, max ${MAX_CELLS}` });
  })
  .meta({ description: 'Series/parallel pack. Default: a single cell (1s1p). C-rates use the pack capacity (parallel x cell capacity).' });

export const InitialSchema = z
  .strictObject({
    soc: z
      .number({ error: 'initial SOC must be a number between 0 and 1' })
      .min(0, { error: 'initial SOC is a fraction between 0 and 1 (write 0.8 for 80 %)' })
      .max(1, { error: 'initial SOC is a fraction between 0 and 1 (write 0.8 for 80 %)' })
      .meta({ description: 'State of charge at the start, 0..1.' }),
    tempC: z.number().min(-60).max(150).optional().meta({ description: 'Cell temperature at the start, degC.', default: SCENARIO_DEFAULTS.initialTempC }),
  })
  .meta({ description: 'Initial state of every cell.' });

export const AmbientSchema = z
  .strictObject({
    tempC: z.number().min(-60).max(150).meta({ description: 'Ambient temperature, degC.', default: SCENARIO_DEFAULTS.ambientTempC }),
  })
  .meta({ description: 'Surroundings of the cell or pack.' });

export const SampleSchema = z
  .strictObject({
    dtS: z.number().min(0.001).max(3600).optional().meta({ description: 'Time step and sample period, s.', default: SCENARIO_DEFAULTS.dtS }),
  })
  .meta({ description: 'Time step of the simulation (every step is recorded).' });

export const LimitsSchema = z
  .strictObject({
    maxDurationS: z.number().positive().max(366 * 86400).optional().meta({
      description: 'The run stops (with a warning) after this much simulated time, s.',
      default: SCENARIO_DEFAULTS.maxDurationS,
    }),
    maxStepDurationS: z.number().positive().max(366 * 86400).optional().meta({
      description: 'A step that ends only on a condition stops (with a warning) after this long, s.',
      default: SCENARIO_DEFAULTS.maxStepDurationS,
    }),
  })
  .meta({ description: 'Guards against runs that never end.' });

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'JSON Schema reference for editors (ignored by the engine and the hash).' }),
    version: z.literal(1).optional().meta({ description: 'Scenario language version (1).' }),
    name: z.string().min(1).max(200).meta({ description: 'Short name of the scenario.' }),
    description: z.string().max(20_000).optional().meta({ description: 'What this scenario shows.' }),
    seed: z.int().min(0).max(4_294_967_295).optional().meta({
      description: 'Seed of the random draws (cell spread, noise). A run option --seed overrides it.',
      default: SCENARIO_DEFAULTS.seed,
    }),
    cell: CellSchema,
    pack: PackSchema.optional(),
    rcPairs: z
      .literal([1, 2], { error: 'rcPairs must be 1 or 2' })
      .optional()
      .meta({ description: 'RC pairs of the equivalent circuit (1 or 2). Default: 2 when the parameter set has a second pair, else 1.' }),
    initial: InitialSchema,
    ambient: AmbientSchema.optional(),
    sample: SampleSchema.optional(),
    limits: LimitsSchema.optional(),
    experiment: ExperimentSchema,
  })
  .meta({
    title: 'Twinbench scenario',
    description: 'A battery experiment: cell or pack, initial state, ambient, and PyBaMM-style steps.',
    defaultSnippets: [
      {
        label: 'new scenario',
        body: {
          name: '${1:My scenario}',
          description: '${2:What it shows}',
          cell: { paramSet: '${3:' + (paramSetNames[0] ?? '') + '}' },
          initial: { soc: 1, tempC: 25 },
          ambient: { tempC: 25 },
          experiment: ['Discharge at 1C until 2.5 V', 'Rest for 30 minutes', 'Charge at 0.5C until 4.1 V', 'Hold at 4.1 V until C/20'],
        },
      },
    ],
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
export type PackSpecInput = z.infer<typeof PackSchema>;
