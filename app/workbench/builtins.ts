// Built-in scenarios offered in the Examples menu; the first is the default editor content.
// Imported as JSON at build time from scenarios/ (the built-in library), shown pretty-printed.
import cell1h from '../../scenarios/cell-1h-cycle.json';
import cellCccv from '../../scenarios/cell-cccv-charge.json';
import cellPowerCold from '../../scenarios/cell-power-cold.json';
import cellRepeated from '../../scenarios/cell-repeated-cycles.json';
import pack4s2p from '../../scenarios/pack-4s2p-discharge.json';

export interface BuiltIn {
  file: string;
  title: string;
  text: string;
}

function entry(file: string, json: { name?: string }): BuiltIn {
  return { file, title: json.name ?? file, text: JSON.stringify(json, null, 2) + '\n' };
}

export const BUILT_IN_SCENARIOS: BuiltIn[] = [
  entry('cell-1h-cycle.json', cell1h),
  entry('cell-cccv-charge.json', cellCccv),
  entry('cell-repeated-cycles.json', cellRepeated),
  entry('cell-power-cold.json', cellPowerCold),
  entry('pack-4s2p-discharge.json', pack4s2p),
];

export const DEFAULT_SCENARIO_TEXT = BUILT_IN_SCENARIOS[0].text;
