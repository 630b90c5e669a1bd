// Built-in scenarios offered in the Examples menu; the first is the default editor content.
// Imported as JSON at build time from scenarios/ (the built-in library), shown pretty-printed.
import cell1h from '../../scenarios/cell-1h-cycle.json';
import cellCccv from '../../scenarios/cell-cccv-charge.json';
import cellPowerCold from '../../scenarios/cell-power-cold.json';
import cellRepeated from '../../scenarios/cell-repeated-cycles.json';
import pack4s2p from '../../scenarios/pack-4s2p-discharge.json';
// Version 2 (assets, faults, criteria; sim/system)
import oven150 from '../../scenarios/oven-18650-150C.json';
import oven155 from '../../scenarios/oven-18650-155C.json';
import arc18650 from '../../scenarios/arc-18650.json';
import modulePropagation from '../../scenarios/module-propagation.json';
import evIsc from '../../scenarios/ev-pack-isc-fast-charge.json';
import hvacFailure05 from '../../scenarios/container-hvac-failure-0.5C.json';
import containerCellIsc from '../../scenarios/container-cell-isc.json';
import stuckSensor from '../../scenarios/stuck-sensor-hot-spot.json';
import contactorWelded from '../../scenarios/contactor-welded.json';
import us06 from '../../scenarios/panasonic-us06-drive.json';

export interface BuiltIn {
  file: string;
  title: string;
  text: string;
  /** scenario language version (the menu groups by it) */
  version: 1 | 2;
}

function entry(file: string, json: { name?: string; version?: unknown }): BuiltIn {
  return { file, title: json.name ?? file, text: JSON.stringify(json, null, 2) + '\n', version: json.version === 2 ? 2 : 1 };
}

export const BUILT_IN_SCENARIOS: BuiltIn[] = [
  entry('cell-1h-cycle.json', cell1h),
  entry('cell-cccv-charge.json', cellCccv),
  entry('cell-repeated-cycles.json', cellRepeated),
  entry('cell-power-cold.json', cellPowerCold),
  entry('pack-4s2p-discharge.json', pack4s2p),
  entry('oven-18650-150C.json', oven150),
  entry('oven-18650-155C.json', oven155),
  entry('arc-18650.json', arc18650),
  entry('module-propagation.json', modulePropagation),
  entry('ev-pack-isc-fast-charge.json', evIsc),
  entry('container-hvac-failure-0.5C.json', hvacFailure05),
  entry('container-cell-isc.json', containerCellIsc),
  entry('stuck-sensor-hot-spot.json', stuckSensor),
  entry('contactor-welded.json', contactorWelded),
  entry('panasonic-us06-drive.json', us06),
];

export const DEFAULT_SCENARIO_TEXT = BUILT_IN_SCENARIOS[0].text;
