// Built-in cell parameter sets (H1). Each set is a JSON data file in ./sets with its source.
import { CellParamsSchema, formatParamIssues, parseCellParams, type CellParams } from './params';
import panasonic from './sets/panasonic-ncr18650pf.json';
import pybamm from './sets/pybamm-ecm-example.json';
import lfp from './sets/lfp-a123-26650.json';
import nmc from './sets/nmc-huria2012.json';
import lco from './sets/lco-chen2006.json';
import { samsung94AhParams } from '../thermal/cell94Ah';

const RAW: Record<string, unknown> = {
  'panasonic-ncr18650pf': panasonic,
  'pybamm-ecm-example': pybamm,
  'lfp-a123-26650': lfp,
  'nmc-huria2012': nmc,
  'lco-chen2006': lco,
  'samsung-94ah': samsung94AhParams(),
};

const cache = new Map<string, CellParams>();

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

export function listParamSets(): string[] {
  return Object.keys(RAW);
}

/** Returns the (frozen, schema-checked) parameter set; throws with the list of known names. */
export function getParamSet(name: string): CellParams {
  const hit = cache.get(name);
  if (hit) return hit;
  const raw = RAW[name];
  if (raw === undefined) throw new Error(`unknown parameter set '${name}'; known sets: ${listParamSets().join(', ')}`);
  const r = parseCellParams(raw);
  if (!r.ok) throw new Error(`built-in parameter set '${name}' is invalid:\n${formatParamIssues(r.issues)}`);
  const p = deepFreeze(r.params);
  cache.set(name, p);
  return p;
}

export { CellParamsSchema };
