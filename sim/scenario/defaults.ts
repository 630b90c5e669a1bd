/**
 * Defaults of the scenario language, applied in one place (the schema itself has none, so a
 * validated scenario stays exactly as written; see ./hash.ts).
 */
import type { CellParams } from '../battery/params';
import { getParamSet } from '../battery/paramSets';
import { SCENARIO_DEFAULTS, type Scenario, type ExperimentItem } from './schema';

export interface ResolvedScenario {
  name: string;
  description: string;
  seed: number;
  params: CellParams;
  /** Name of the parameter set, or 'inline'. */
  paramSetName: string;
  pack: {
    series: number;
    parallel: number;
    spread?: { capacityRelStd: number; r0RelStd: number; socAbsStd?: number };
    balancing?: { thresholdV?: number; bleedOhm?: number; when?: 'rest-or-charge' | 'always' };
  };
  rcPairs: 1 | 2;
  initial: { soc: number; tempC: number };
  ambient: { tempC: number };
  sample: { dtS: number };
  limits: { maxDurationS: number; maxStepDurationS: number };
  experiment: ExperimentItem[];
}

/** Fill every default. Throws only for an unknown parameter set (validateScenario catches that first). */
export function resolveScenario(s: Scenario, opts: { seed?: number } = {}): ResolvedScenario {
  const params = s.cell.params ?? getParamSet(s.cell.paramSet!);
  const hasRc2 = !!(params.r2Ohm && params.c2F);
  const pack: ResolvedScenario['pack'] = {
    series: s.pack?.series ?? SCENARIO_DEFAULTS.series,
    parallel: s.pack?.parallel ?? SCENARIO_DEFAULTS.parallel,
  };
  if (s.pack?.spread) pack.spread = { ...s.pack.spread };
  if (s.pack?.balancing) pack.balancing = { ...s.pack.balancing };
  return {
    name: s.name,
    description: s.description ?? '',
    seed: opts.seed ?? s.seed ?? SCENARIO_DEFAULTS.seed,
    params,
    paramSetName: s.cell.paramSet ?? 'inline',
    pack,
    rcPairs: s.rcPairs ?? (hasRc2 ? 2 : 1),
    initial: { soc: s.initial.soc, tempC: s.initial.tempC ?? SCENARIO_DEFAULTS.initialTempC },
    ambient: { tempC: s.ambient?.tempC ?? SCENARIO_DEFAULTS.ambientTempC },
    sample: { dtS: s.sample?.dtS ?? SCENARIO_DEFAULTS.dtS },
    limits: {
      maxDurationS: s.limits?.maxDurationS ?? SCENARIO_DEFAULTS.maxDurationS,
      maxStepDurationS: s.limits?.maxStepDurationS ?? SCENARIO_DEFAULTS.maxStepDurationS,
    },
    experiment: s.experiment,
  };
}
