// Completion of target paths and signal names inside a version-2 scenario, from the assets the
// scenario itself declares: a "target" string gets asset paths (site1/container1/rack01/...), a
// criterion's "expect" or a trigger's "when" gets signal names (site1/container1/air.temp_C).
// Pure (no Monaco): the editor turns the result into completion items.
import { getLocation, parse, type ParseError } from 'jsonc-parser';
import { applyParameters } from '../../sim/scenario/parameters';
import { buildAssetIndex } from '../../sim/system/assets';
import { defineSignals } from '../../sim/system/signals';
import type { SystemScenario } from '../../sim/scenario/system';

export interface TargetCompletion {
  kind: 'target' | 'signal';
  /** the candidates, most useful first */
  items: string[];
}

/** At most this many candidates (a container has thousands of cells). */
export const MAX_COMPLETIONS = 1500;

const SIGNAL_KEYS = new Set(['expect', 'when']);

/** Completion candidates at `offset` of the scenario text, or null when none apply there. */
export function targetCompletion(text: string, offset: number): TargetCompletion | null {
  const loc = getLocation(text, offset);
  if (loc.isAtPropertyKey || !loc.previousNode || loc.previousNode.type !== 'string') return null;
  const path = loc.path;
  const key = [...path].reverse().find((p) => typeof p === 'string');
  const kind = key === 'target' ? 'target' : typeof key === 'string' && SIGNAL_KEYS.has(key) ? 'signal' : null;
  if (!kind) return null;
  const errors: ParseError[] = [];
  const doc = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  if (!doc || typeof doc !== 'object' || (doc as { version?: unknown }).version !== 2) return null;
  const p = applyParameters(doc);
  if (!p.ok) return null;
  let index;
  try {
    index = buildAssetIndex(p.doc as SystemScenario);
  } catch {
    return null; // assets not complete yet
  }
  if (kind === 'target') {
    // assets that are not cells first (they are few), then the cells
    const others = index.entries.filter((e) => e.kind !== 'cell').map((e) => e.path);
    const cells = index.entries.filter((e) => e.kind === 'cell').map((e) => e.path);
    return { kind, items: [...others, ...cells].slice(0, MAX_COMPLETIONS) };
  }
  const b = index.battery.spec;
  const loads = (p.doc as { loads?: { peakShave?: unknown }[] }).loads ?? [];
  const names = defineSignals(index, { hasEcm: !!b.cell?.paramSet, hasPeakShave: loads.some((l) => !!l.peakShave) }).map((d) => d.name);
  return { kind, items: names.slice(0, MAX_COMPLETIONS) };
}
