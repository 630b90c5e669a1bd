/**
 * Scenario language version 2: systems and "what happens if" questions. A version-2 scenario
 * names its assets in a hierarchy (site / container / rack / module / cell, vehicle / pack /
 * module / cell, chamber / cell or module), sets their initial state by selector (`init`), drives
 * them with loads (PyBaMM-style steps or measured profiles), injects faults (target + behaviour +
 * trigger), and states criteria. Quantities carry units ("45 degC", "30 kW", "0.5C", "10 min",
 * ./units.ts); `$name` refers to a parameter of the `parameters` section (./parameters.ts).
 *
 * Like version 1, the schema has no zod defaults: the document stays exactly as written (its hash
 * is the share id); defaults are applied by the compiler (sim/system/compile.ts) and documented
 * in the `default` of each field and in docs/scenario-language-v2.md.
 */
import { z } from 'zod';
import { listParamSets } from '../battery/paramSets';
import { listRunawaySets } from '../safety/runawaySets';
import { parseQuantity, type Dim } from './units';
import { parseSelector } from './targets';
import { ExperimentSchema } from './schema';

const paramSetNames = listParamSets();
const runawaySetNames = listRunawaySets();

/** A quantity with units, checked for dimension and range (min/max in the engine's units). */
export function q(dim: Dim | Dim[], opts: { min?: number; max?: number; gt?: number; description?: string; default?: string | number } = {}) {
  return z
    .union([z.string(), z.number()])
    .superRefine((v, ctx) => {
      const r = parseQuantity(v, dim);
      if (!r.ok) return void ctx.addIssue({ code: 'custom', message: r.message });
      if (opts.min !== undefined && r.value < opts.min) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is below the minimum (${opts.min} in ${dimUnit(r.dim)})` });
      if (opts.max !== undefined && r.value > opts.max) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is above the maximum (${opts.max} in ${dimUnit(r.dim)})` });
      if (opts.gt !== undefined && !(r.value > opts.gt)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} must be greater than ${opts.gt} ${dimUnit(r.dim)}` });
    })
    .meta({ description: opts.description, ...(opts.default !== undefined ? { default: opts.default } : {}) });
}
function dimUnit(d: Dim): string {
  return ({ temperature: 'degC', time: 's', power: 'W', length: 'm', resistance: 'Ohm', fraction: '', ratio: '' } as Record<string, string>)[d] ?? d;
}

const frac = (description: string, def?: number) =>
  z.number().min(0).max(1).meta({ description, ...(def !== undefined ? { default: def } : {}) });

const selector = (description: string) =>
  z
    .string()
    .superRefine((s, ctx) => {
      const r = parseSelector(s);
      if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
    })
    .meta({ description });

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

export const ParameterSchema = z
  .strictObject({
    default: z.union([z.string(), z.number()]).meta({ description: 'Value used unless the run sets it (`--param name=value`).' }),
    description: z.string().max(2000).optional(),
  })
  .meta({ description: 'A named value; write "$name" anywhere in the scenario to use it.' });

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

// ---------------------------------------------------------------------------------------------
// Assets
// ---------------------------------------------------------------------------------------------

export const CellModelSchema = z
  .strictObject({
    paramSet: z
      .enum(paramSetNames as [string, ...string[]], { error: (i) => `unknown cell parameter set ${JSON.stringify(i.input)}, expected one of: ${paramSetNames.join(', ')}` })
      .optional()
      .meta({ description: `Electrical (ECM) parameter set: ${paramSetNames.join(', ')}. Omit for a cell with no electrical model (oven / ARC tests).` }),
    runawaySet: z
      .enum(runawaySetNames as [string, ...string[]], { error: (i) => `unknown thermal-runaway set ${JSON.stringify(i.input)}, expected one of: ${runawaySetNames.join(', ')}` })
      .meta({ description: `Thermal-runaway kinetics (../shared/reference/thermal-runaway-params.csv): ${runawaySetNames.join(', ')}.` }),
    hConv: q('heatTransfer', { min: 0, max: 10000, description: 'Convection coefficient to the surroundings (default: the runaway set cell format).' }).optional(),
    emissivity: frac('Surface emissivity (default: the runaway set cell format).').optional(),
    can: z
      .strictObject({
        heatCapacity: q('heatCapacity', { gt: 0, max: 1e6, description: 'Heat capacity of the can (part of the cell\'s), default for an 18650: 3.9 J/K (0.25 mm steel).' }).optional(),
        radialConductance: q('thermalConductance', { gt: 0, max: 1e4, description: 'Jelly roll to can, default 8 pi k_r L with k_r 0.20 W/(m K) (Drake 2014): 0.33 W/K for an 18650.' }).optional(),
      })
      .optional()
      .meta({ description: 'Two-node cell: a can node carries the surface (convection, radiation, neighbours, heaters), the jelly roll the reactions. {} takes the defaults of a cylindrical cell. Omit for one lumped node (the published oven models).' }),
  })
  .meta({ description: 'Cell model: electrical parameter set and thermal-runaway kinetics.' });

const BmsSchema = z
  .strictObject({
    enabled: z.boolean().optional().meta({ description: 'BMS safety monitor on (default true).', default: true }),
    overTempDischarge: z.tuple([q('temperature'), q('temperature'), q('temperature')]).optional().meta({ description: 'warning, alarm, trip (default foxBMS 2: 45, 50, 55 degC).' }),
    overTempCharge: z.tuple([q('temperature'), q('temperature'), q('temperature')]).optional().meta({ description: 'warning, alarm, trip (default foxBMS 2: 35, 40, 45 degC).' }),
    maxDischargeC: q('crate', { gt: 0, max: 100 }).optional().meta({ description: 'Over-current warning level (alarm 1.1x, trip 1.2x), default 2C.' }),
    maxChargeC: q('crate', { gt: 0, max: 100 }).optional().meta({ description: 'Over-current warning level on charge, default 1C.' }),
  })
  .meta({ description: 'BMS safety monitor: voltage, current, temperature and gas limits (warning / alarm / trip), emergency shutoff.' });

const HvacSchema = z
  .strictObject({
    mode: z.enum(['auto', 'cool', 'off']).optional().meta({ description: 'auto: cool and heat; cool: cooling only; off: no HVAC.', default: 'auto' }),
    setpoint: q('temperature', { min: -20, max: 60 }).optional().meta({ description: 'Cooling set-point (hottest battery node), default 25 degC.', default: '25 degC' }),
    heatSetpoint: q('temperature', { min: -40, max: 40 }).optional().meta({ description: 'Heating set-point, default 15 degC.', default: '15 degC' }),
    band: q('temperatureDelta', { gt: 0, max: 20 }).optional().meta({ description: 'Thermostat hysteresis band, default 2 K.', default: '2 K' }),
    coolingCapacity: q('power', { min: 0, max: 1e7 }).optional().meta({ description: 'Cooling capacity, default 30 kW.', default: '30 kW' }),
    heatingCapacity: q('power', { min: 0, max: 1e7 }).optional().meta({ description: 'Heating capacity, default 10 kW.', default: '10 kW' }),
    copCooling: z.number().gt(0).max(20).optional().meta({ description: 'Coefficient of performance, cooling (SimSES: 3).', default: 3 }),
    copHeating: z.number().gt(0).max(20).optional().meta({ description: 'Coefficient of performance, heating (SimSES: 2.5).', default: 2.5 }),
  })
  .meta({ description: 'Thermostat HVAC on the container air, finite capacity and COP.' });

const ContainerSchema = z
  .strictObject({
    type: z.literal('container'),
    preset: z.literal('40ft').meta({ description: '40 ft ISO container (walls Al / rock wool / steel, as SimSES).' }),
    cell: CellModelSchema,
    racks: z.int().min(1).max(100).meta({ description: 'Racks in series.' }),
    modulesPerRack: z.int().min(1).max(100).meta({ description: 'Modules in series in each rack.' }),
    cellsPerModule: z.int().min(1).max(1000).meta({ description: 'Cells in parallel in each module (a module is one parallel group).' }),
    hvac: HvacSchema.optional(),
    coolant: z
      .strictObject({
        chillerCapacity: q('power', { min: 0, max: 1e7 }).meta({ description: 'Chiller cooling capacity, e.g. "80 kW".' }),
        setpoint: q('temperature', { min: 0, max: 50 }).optional().meta({ description: 'Coolant set-point (hottest module), default 25 degC.', default: '25 degC' }),
        flow: q('thermalConductance', { gt: 0, max: 1e7 }).optional().meta({ description: 'Loop capacity rate m_dot cp, default 8 kW/K.', default: '8 kW/K' }),
        conductance: q('thermalConductance', { gt: 0, max: 1e7 }).optional().meta({ description: 'Battery-to-coolant conductance of all modules together (cold plates), default 40 kW/K.', default: '40 kW/K' }),
        cop: z.number().gt(0).max(20).optional().meta({ description: 'Chiller COP, default 3.', default: 3 }),
      })
      .optional()
      .meta({ description: 'Liquid cooling loop: cold plates under the modules, a pump and a chiller.' }),
    bms: BmsSchema.optional(),
    solarAbsorptivity: frac('Solar absorptivity of the outer wall (default 0.6).').optional(),
    cellContact: q('thermalConductance', { gt: 0, max: 1e4 })
      .optional()
      .meta({ description: 'Conductance between a cell singled out by a cell fault (cell.internalShort, cell.forcedHeating) and the rest of its module, default 0.77 W/K (two face neighbours, 0.8 W/(m K) through a 45 mm prismatic cell with 0.0216 m2 faces).', default: '0.77 W/K' }),
  })
  .meta({ description: 'A battery container: racks x modules (parallel groups of cells) in series, one thermal node per module, air, walls, HVAC.' });

const ModuleLayoutSchema = z
  .strictObject({
    cols: z.int().min(1).max(1000).optional().meta({ description: 'Cells per row of the module grid (default: all cells of the module in one row).' }),
    gap: q('length', { min: 0, max: 0.1 }).optional().meta({ description: 'Surface-to-surface gap between neighbours, default 0 mm (touching).', default: '0 mm' }),
    contact: q('thermalConductance', { min: 0, max: 1000 }).optional().meta({ description: 'Contact conductance between neighbours (holder, busbar, touching faces), default 0 W/K.' }),
    radiation: z.boolean().optional().meta({ description: 'Radiation between neighbours (default true).', default: true }),
    flame: z.boolean().optional().meta({ description: 'The vent flame of a cell in runaway heats its neighbours (runaway sets with a flame term, e.g. HK07_LCO; cylindrical cells; default true).', default: true }),
  })
  .meta({ description: 'Geometry of the cells inside a module (for heat exchange and propagation).' });

const PackSchema = z
  .strictObject({
    type: z.literal('pack'),
    cell: CellModelSchema,
    series: z.int().min(1).max(2000).meta({ description: 'Cells (parallel groups) in series.' }),
    parallel: z.int().min(1).max(100).optional().meta({ description: 'Cells in parallel per group.', default: 1 }),
    modules: z.int().min(1).max(500).optional().meta({ description: 'Modules (the series groups are split evenly among them).', default: 1 }),
    layout: ModuleLayoutSchema.optional(),
    bms: BmsSchema.optional(),
  })
  .meta({ description: 'A pack of series x parallel cells split into modules.' });

const ModuleSchema = z
  .strictObject({
    type: z.literal('module'),
    cell: CellModelSchema,
    cells: z.int().min(1).max(1000).meta({ description: 'Cells in the module.' }),
    layout: ModuleLayoutSchema.optional(),
  })
  .meta({ description: 'A module of cells (no electrical load), for propagation tests.' });

const CellAssetSchema = z
  .strictObject({ type: z.literal('cell'), cell: CellModelSchema, bms: BmsSchema.optional() })
  .meta({ description: 'One cell (with cell.paramSet it can carry a load and has a BMS).' });

const ArcSchema = z
  .strictObject({
    start: q('temperature').optional().meta({ description: 'First heat step, default 50 degC.', default: '50 degC' }),
    step: q('temperatureDelta', { gt: 0 }).optional().meta({ description: 'Heat step, default 5 K.', default: '5 K' }),
    wait: q('time', { gt: 0 }).optional().meta({ description: 'Wait after each step, default 15 min.', default: '15 min' }),
    seek: q('time', { gt: 0 }).optional().meta({ description: 'Seek window, default 10 min.', default: '10 min' }),
    threshold: q('temperatureRate', { gt: 0 }).optional().meta({ description: 'Self-heating detection threshold, default 0.02 K/min.', default: '0.02 K/min' }),
    max: q('temperature').optional().meta({ description: 'Highest heat step, default 300 degC.', default: '300 degC' }),
  })
  .meta({ description: 'Accelerating rate calorimeter: heat-wait-seek, then adiabatic tracking once the cell self-heats.' });

export type AssetInput =
  | { type: 'site'; children: Record<string, AssetInput> }
  | { type: 'vehicle'; aux?: string | number; children: Record<string, AssetInput> }
  | { type: 'chamber'; mode: 'oven' | 'arc'; temperature?: string | number; arc?: z.infer<typeof ArcSchema>; hConv?: string | number; children: Record<string, AssetInput> }
  | z.infer<typeof ContainerSchema>
  | z.infer<typeof PackSchema>
  | z.infer<typeof ModuleSchema>
  | z.infer<typeof CellAssetSchema>;

const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const childrenOf = (what: string) =>
  z
    .record(z.string(), z.lazy(() => AssetSchema))
    .superRefine((rec, ctx) => {
      for (const k of Object.keys(rec)) if (!NAME_RE.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `asset name '${k}' must start with a letter and use letters, digits, '_' or '-' (max 64)` });
      if (Object.keys(rec).length === 0) ctx.addIssue({ code: 'custom', message: `a ${what} needs at least one child asset` });
    })
    .meta({ description: `Assets inside this ${what}, by name.` });

export const AssetSchema: z.ZodType<AssetInput> = z.lazy(() =>
  z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('site'), children: childrenOf('site') }).meta({ description: 'A site (storage site): containers and the ambient.' }),
      z
        .strictObject({
          type: z.literal('vehicle'),
          aux: q('power', { min: 0, max: 1e5 }).optional().meta({ description: 'Auxiliary load (cabin heating, electronics) drawn from the pack, default 0 kW.' }),
          children: childrenOf('vehicle'),
        })
        .meta({ description: 'An electric vehicle: a pack and auxiliary loads.' }),
      z
        .strictObject({
          type: z.literal('chamber'),
          mode: z.enum(['oven', 'arc']).meta({ description: 'oven: constant wall temperature; arc: heat-wait-seek calorimeter.' }),
          temperature: q('temperature', { min: -60, max: 600 }).optional().meta({ description: 'Oven temperature (mode oven).' }),
          hConv: q('heatTransfer', { min: 0, max: 10000 }).optional().meta({ description: 'Convection inside the chamber (default: the cell format value).' }),
          arc: ArcSchema.optional(),
          children: childrenOf('chamber'),
        })
        .superRefine((c, ctx) => {
          if (c.mode === 'oven' && c.temperature === undefined) ctx.addIssue({ code: 'custom', path: ['temperature'], message: 'an oven needs a temperature, e.g. "150 degC"' });
          if (c.mode === 'arc' && c.temperature !== undefined) ctx.addIssue({ code: 'custom', path: ['temperature'], message: 'an ARC sets its own temperature: use "arc" settings' });
        })
        .meta({ description: 'A test chamber: oven or accelerating rate calorimeter (ARC).' }),
      ContainerSchema,
      PackSchema,
      ModuleSchema,
      CellAssetSchema,
    ],
    { error: (i) => (i.code === 'invalid_union' ? `unknown asset type, expected one of: site, container, vehicle, pack, module, cell, chamber` : undefined) },
  ),
);

// ---------------------------------------------------------------------------------------------
// Ambient, init, loads
// ---------------------------------------------------------------------------------------------

export const ProfileRefSchema = z
  .strictObject({
    file: z
      .string()
      .regex(/^data:[A-Za-z0-9_.\-/ ]+\.csv$/, { message: 'a profile file is "data:<folder>/<file>.csv" under ../shared/data' })
      .refine((s) => !s.includes('..'), { message: "'..' is not allowed in a profile path" })
      .meta({ description: 'A CSV under ../shared/data, e.g. "data:panasonic-18650pf/25degC/US06.csv".' }),
    column: z.string().min(1).max(100).meta({ description: 'Column with the values.' }),
    timeColumn: z.string().min(1).max(100).optional().meta({ description: 'Column with the time in s (default: one row per `period`).' }),
    period: q('time', { gt: 0 }).optional().meta({ description: 'Time between rows when there is no time column, default 1 h.' }),
    unit: z.string().max(20).meta({ description: 'Unit of the column values (A, W, kW, degC, K, W/m2 ...).' }),
    scale: z.number().optional().meta({ description: 'Multiply the values (e.g. -1 to flip the sign, or cells in parallel).', default: 1 }),
    start: q('time', { min: 0 }).optional().meta({ description: 'Skip this much of the file.', default: '0 s' }),
    repeat: z.boolean().optional().meta({ description: 'Loop the profile when it ends (default false: it holds its last value... and the load ends).', default: false }),
  })
  .meta({ description: 'A measured time series from ../shared/data (drive-cycle current, site load, weather).' });

export const AmbientV2Schema = z
  .strictObject({
    temperature: z.union([q('temperature', { min: -60, max: 80 }), ProfileRefSchema]).optional().meta({ description: 'Outside air temperature (constant or a profile), default 25 degC.' }),
    dailySwing: q('temperatureDelta', { min: 0, max: 40 }).optional().meta({ description: 'Peak-to-peak daily swing around the temperature (minimum at 4:00, maximum at 16:00), default 0 K.' }),
    solarPeak: z.number().min(0).max(1400).optional().meta({ description: 'Peak solar irradiance on the container, W/m2 (half-sine 6:00-18:00), default 0.' }),
  })
  .meta({ description: 'The ambient around every asset (the air outside the container / vehicle / pack).' });

export const InitEntrySchema = z
  .strictObject({
    target: selector('Which assets (selector, e.g. "site1/container1/**" or "pack1/module[1..4]/cell*").'),
    soc: frac('State of charge, 0..1.').optional(),
    temperature: q('temperature', { min: -60, max: 200 }).optional().meta({ description: 'Temperature at the start.' }),
  })
  .meta({ description: 'Initial state of the assets matched by target. Later entries override earlier ones.' });

export const LoadSchema = z
  .strictObject({
    target: selector('The pack, container or site that carries the load.'),
    steps: ExperimentSchema.optional(),
    profile: ProfileRefSchema.optional(),
    peakShave: z
      .strictObject({
        load: ProfileRefSchema.meta({ description: 'Site load (power) profile.' }),
        threshold: q('power', { min: 0 }).meta({ description: 'Grid import above this is shaved by discharging.' }),
        rechargePower: q('power', { gt: 0 }).meta({ description: 'Recharge power when the load is below the threshold.' }),
        socMax: frac('Stop recharging at this SOC.', 0.9).optional(),
        socMin: frac('Stop discharging at this SOC.', 0.1).optional(),
      })
      .optional()
      .meta({ description: 'Peak-shaving controller on a measured site load.' }),
    repeat: z.int().min(1).max(100000).optional().meta({ description: 'Run steps / profile this many times.', default: 1 }),
  })
  .superRefine((l, ctx) => {
    const n = +(l.steps !== undefined) + +(l.profile !== undefined) + +(l.peakShave !== undefined);
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'a load has exactly one of "steps", "profile" or "peakShave"' });
    if (l.profile && !['A', 'mA', 'W', 'kW', 'C'].includes(l.profile.unit)) ctx.addIssue({ code: 'custom', path: ['profile', 'unit'], message: `a load profile is a current (A, mA), power (W, kW) or C-rate (C), got '${l.profile.unit}' (+ = discharge)` });
  })
  .meta({ description: 'What the target is asked to do: PyBaMM-style steps, a measured profile (+ = discharge) or a peak-shaving controller.' });

// ---------------------------------------------------------------------------------------------
// Faults and triggers
// ---------------------------------------------------------------------------------------------

export const FAULT_TYPES = {
  'hvac.failOff': 'HVAC stops (no cooling, no heating, no fan).',
  'hvac.capacity': 'HVAC capacity reduced to `factor` (0..1).',
  'hvac.fanFailure': 'Air handler airflow reduced to `factor` (0 = fan dead).',
  'hvac.setpointDrift': 'Set-point drifts by `offset` (temperature difference).',
  'coolant.leak': 'Coolant loop flow reduced to `factor` of nominal (a leak or a failing pump).',
  'coolant.chillerFailure': 'The chiller of the coolant loop stops.',
  'cell.internalShort': 'Internal short with resistance `resistance` (heat V_oc^2 / R until the stored energy is spent).',
  'cell.forcedHeating': 'A heater on the cell: `power` (W) until `duration` or the cell runs away.',
  'cell.capacityFade': 'Capacity reduced to `factor` of nominal.',
  'cell.resistanceRise': 'Series resistance multiplied by `factor`.',
  'sensor.stuck': 'Temperature sensor reads a fixed `value` (default: its last reading).',
  'sensor.offset': 'Temperature sensor reads `offset` too high (negative: too low).',
  'sensor.drift': 'Temperature sensor offset grows by `rate` (K/h).',
  'sensor.noise': 'Temperature sensor gets white noise of std `std` (K).',
  'sensor.dropout': 'Temperature sensor readings lost with probability `probability` (NaN, ignored by the BMS).',
  'contactor.open': 'Main contactor opens: the load is disconnected.',
  'contactor.welded': 'Main contactor welded: a BMS trip can no longer disconnect the load.',
  'busbar.highResistance': 'A busbar joint on a module gets `resistance` extra (heat I^2 R in that module).',
  'gasDetector.failure': 'Off-gas detector dead: reads 0 ppm.',
  'environment.heatWave': 'Ambient temperature raised by `delta` (temperature difference).',
} as const;
export type FaultType = keyof typeof FAULT_TYPES;

const ConditionTextSchema = z.string().min(1).max(500).meta({
  description: 'Condition on signals, e.g. "max(site1/container1/**.temp_C) > 45 degC" (agg(selector.signal) op quantity).',
});

export const TriggerSchema = z
  .strictObject({
    at: q('time', { min: 0 }).optional().meta({ description: 'At this simulated time.' }),
    after: z
      .strictObject({
        fault: z.string().optional().meta({ description: 'Id of another fault.' }),
        event: z.string().optional().meta({ description: 'Event code (e.g. OT_ALARM); the first such event.' }),
        delay: q('time', { min: 0 }).optional().meta({ description: 'Delay after it, default 0 s.' }),
      })
      .superRefine((a, ctx) => {
        if ((a.fault === undefined) === (a.event === undefined)) ctx.addIssue({ code: 'custom', message: 'give either "fault" or "event"' });
      })
      .optional(),
    when: z
      .union([ConditionTextSchema, z.array(z.union([ConditionTextSchema, z.array(ConditionTextSchema).min(1)])).min(1)])
      .optional()
      .meta({ description: 'Condition, or OR-of-AND groups: ["A", ["B", "C"]] = A or (B and C). Fires on the rising edge; located in time by bisection.' }),
    for: q('time', { min: 0 }).optional().meta({ description: 'Debounce: the condition must hold this long.' }),
  })
  .superRefine((t, ctx) => {
    const n = +(t.at !== undefined) + +(t.after !== undefined) + +(t.when !== undefined);
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'a trigger has exactly one of "at", "after" or "when"' });
    if (t.for !== undefined && t.when === undefined) ctx.addIssue({ code: 'custom', path: ['for'], message: '"for" (debounce) goes with "when"' });
  })
  .meta({ description: 'When the fault starts.' });

export const FaultSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { message: 'a fault id starts with a letter: letters, digits, - and _' }),
    type: z.enum(Object.keys(FAULT_TYPES) as [FaultType, ...FaultType[]], {
      error: (i) => `unknown fault type ${JSON.stringify(i.input)}, expected one of: ${Object.keys(FAULT_TYPES).join(', ')}`,
    }),
    target: selector('Asset(s) the fault acts on.'),
    trigger: TriggerSchema,
    factor: z.number().min(0).max(100).optional(),
    offset: q(['temperatureDelta']).optional(),
    delta: q(['temperatureDelta']).optional(),
    rate: q('temperatureRate').optional(),
    std: q('temperatureDelta', { min: 0 }).optional(),
    value: q('temperature').optional(),
    probability: z.number().min(0).max(1).optional(),
    resistance: q('resistance', { gt: 0 }).optional(),
    power: q('power', { min: 0 }).optional(),
    duration: q('time', { gt: 0 }).optional(),
    description: z.string().max(2000).optional(),
  })
  .superRefine((f, ctx) => {
    const need: Partial<Record<FaultType, (keyof typeof f)[]>> = {
      'hvac.capacity': ['factor'],
      'hvac.fanFailure': ['factor'],
      'coolant.leak': ['factor'],
      'hvac.setpointDrift': ['offset'],
      'cell.internalShort': ['resistance'],
      'cell.forcedHeating': ['power'],
      'cell.capacityFade': ['factor'],
      'cell.resistanceRise': ['factor'],
      'sensor.offset': ['offset'],
      'sensor.drift': ['rate'],
      'sensor.noise': ['std'],
      'sensor.dropout': ['probability'],
      'busbar.highResistance': ['resistance'],
      'environment.heatWave': ['delta'],
    };
    for (const k of need[f.type] ?? []) if (f[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${f.type} needs "${String(k)}" (${FAULT_TYPES[f.type]})` });
    if ((f.type === 'hvac.capacity' || f.type === 'hvac.fanFailure' || f.type === 'cell.capacityFade' || f.type === 'coolant.leak') && f.factor !== undefined && f.factor > 1)
      ctx.addIssue({ code: 'custom', path: ['factor'], message: `${f.type}: factor is a fraction 0..1` });
  })
  .meta({ description: 'A fault: target + behaviour (type and its fields) + trigger.' });

export const CriterionSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { message: 'a criterion id starts with a letter: letters, digits, - and _' }),
    expect: z.string().min(1).max(500).meta({
      description:
        'e.g. "alarm OT_WARN within 9 h after fault hvac-trip", "max(site1/container1/**.temp_C) < 60 degC", "propagated cells <= 1", "no trip", "eventually min(pack1.voltage_V) < 3 V within 2 h".',
    }),
    description: z.string().max(2000).optional(),
  })
  .meta({ description: 'An assertion on signals or on the alarm timeline: pass / fail / inconclusive with a time.' });

export const StopSchema = z
  .strictObject({
    time: q('time', { gt: 0, max: 366 * 86400 }).meta({ description: 'Simulated duration of the run.' }),
    onTrip: z.boolean().optional().meta({ description: 'Stop when the BMS trips (default false).', default: false }),
    runawayCells: z.int().min(1).optional().meta({ description: 'Stop this long after N cells are in runaway (see `after`).' }),
    after: q('time', { min: 0 }).optional().meta({ description: 'Keep running this long after a stop condition (default 10 min).', default: '10 min' }),
  })
  .meta({ description: 'When the run ends.' });

export const SampleV2Schema = z
  .strictObject({
    dt: q('time', { min: 0.01, max: 60 }).optional().meta({ description: 'Time step, default 1 s.', default: '1 s' }),
    record: q('time', { min: 0.01, max: 3600 }).optional().meta({ description: 'Recording period of the channels (default: dt for short runs, so that at most 20,000 rows are kept).' }),
  })
  .meta({ description: 'Time step and recording period.' });

export const SystemScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(2).meta({ description: 'Scenario language version 2 (assets, faults, criteria).' }),
    name: z.string().min(1).max(200),
    description: z.string().max(20_000).optional(),
    seed: z.int().min(0).max(4_294_967_295).optional().meta({ default: 1 }),
    parameters: z
      .record(z.string(), ParameterSchema)
      .superRefine((rec, ctx) => {
        for (const k of Object.keys(rec)) if (!PARAM_NAME.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `parameter name '${k}': letters, digits and _, starting with a letter or _` });
      })
      .optional(),
    assets: z
      .record(z.string(), AssetSchema)
      .superRefine((rec, ctx) => {
        for (const k of Object.keys(rec)) if (!NAME_RE.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `asset name '${k}' must start with a letter and use letters, digits, '_' or '-'` });
        if (Object.keys(rec).length !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one top-level asset (a site, vehicle, chamber, container, pack, module or cell)' });
      })
      .meta({ description: 'The asset hierarchy, by name.' }),
    ambient: AmbientV2Schema.optional(),
    init: z.array(InitEntrySchema).max(1000).optional(),
    loads: z.array(LoadSchema).max(100).optional(),
    faults: z.array(FaultSchema).max(1000).optional(),
    criteria: z.array(CriterionSchema).max(1000).optional(),
    stop: StopSchema,
    sample: SampleV2Schema.optional(),
  })
  .meta({ title: 'Twinbench system scenario (version 2)' });

export type SystemScenario = z.infer<typeof SystemScenarioSchema>;
export type FaultSpec = z.infer<typeof FaultSchema>;
export type LoadSpec = z.infer<typeof LoadSchema>;
export type ProfileRef = z.infer<typeof ProfileRefSchema>;
