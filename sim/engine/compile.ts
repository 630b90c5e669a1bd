/**
 * compile(scenario) -> plan: defaults resolved, every step string parsed once, repeat blocks
 * expanded into a sequence of step ids, and a rough duration estimate per step (for progress
 * and for sizing the recorders; never used for results).
 */
import type { Scenario, ExperimentItem } from '../scenario/schema';
import { MAX_EXPANDED_STEPS } from '../scenario/schema';
import { resolveScenario, type ResolvedScenario } from '../scenario/defaults';
import { parseStep, type ParsedStep } from '../scenario/steps';
import { scenarioHash } from '../scenario/hash';
import { stepLabel } from '../scenario/validate';

export interface PlanStep {
  /** Index in Plan.steps. */
  id: number;
  /** "step 3" / "step 2.1" (numbering as in error messages). */
  label: string;
  /** Path of the step string in the scenario (['experiment', 1, 'steps', 0]). */
  path: (string | number)[];
  step: ParsedStep;
  /** Sample period of this step, s. */
  dtS: number;
  /** Rough expected duration, s (progress only). */
  estDurationS: number;
}

export interface Plan {
  scenario: Scenario;
  resolved: ResolvedScenario;
  scenarioHash: string;
  seed: number;
  /** Unique steps as written. */
  steps: PlanStep[];
  /** Step ids in run order, repeat blocks expanded. The step_index channel indexes this. */
  sequence: Int32Array;
  /** Sum of estDurationS over the sequence. */
  estTotalS: number;
}

function estimateDuration(step: ParsedStep, r: ResolvedScenario): number {
  const capAh = r.pack.parallel * r.params.capacityAh;
  let est: number;
  const d = step.drive;
  const guard = r.limits.maxStepDurationS;
  if (d.type === 'rest') est = step.durationS ?? 0;
  else {
    let untilEst: number;
    if (step.until.length === 0) untilEst = Infinity;
    else if (d.type === 'voltage') untilEst = 1800;
    else {
      const nominalV = r.pack.series * 0.5 * (r.params.vMinV + r.params.vMaxV);
      const amps = d.type === 'current' ? d.currentA : d.type === 'crate' ? d.cRate * capAh : d.powerW / nominalV;
      untilEst = amps > 0 ? (0.8 * capAh * 3600) / amps : guard;
    }
    est = Math.min(step.durationS ?? Infinity, untilEst, guard);
  }
  return Number.isFinite(est) && est > 0 ? est : 1;
}

/** Compile a validated scenario. Throws an Error if a step does not parse (validate first). */
export function compile(scenario: Scenario, opts: { seed?: number } = {}): Plan {
  const resolved = resolveScenario(scenario, opts);
  const steps: PlanStep[] = [];
  const seq: number[] = [];
  const walk = (items: readonly ExperimentItem[], prefix: (string | number)[]): number[] => {
    const ids: number[] = [];
    items.forEach((it, i) => {
      const path = [...prefix, i];
      if (typeof it === 'string') {
        const r = parseStep(it);
        const label = stepLabel(path) ?? `step ${i + 1}`;
        if (!r.ok) throw new Error(`${label}: ${r.message}`);
        const id = steps.length;
        const dtS = r.step.periodS ?? resolved.sample.dtS;
        steps.push({ id, label, path, step: r.step, dtS, estDurationS: estimateDuration(r.step, resolved) });
        ids.push(id);
      } else {
        const inner = walk(it.steps, [...path, 'steps']);
        for (let k = 0; k < it.repeat; k++) {
          for (const id of inner) ids.push(id);
          if (ids.length > MAX_EXPANDED_STEPS) throw new Error(`the experiment expands to more than ${MAX_EXPANDED_STEPS} steps`);
        }
      }
    });
    return ids;
  };
  // Top level: the returned ids are the whole sequence.
  for (const id of walk(resolved.experiment, ['experiment'])) seq.push(id);
  const sequence = Int32Array.from(seq);
  let estTotalS = 0;
  for (let k = 0; k < sequence.length; k++) estTotalS += steps[sequence[k]].estDurationS;
  return {
    scenario,
    resolved,
    scenarioHash: scenarioHash(scenario),
    seed: resolved.seed,
    steps,
    sequence,
    estTotalS,
  };
}
