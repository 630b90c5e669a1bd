// Panels for version-2 (system) runs, whose channels are `<asset path>.<signal>` with the unit in
// the signal name (sim/system/signals.ts). Pure: the default choice of channels and the grouping
// of any chosen channels into stacked panels by unit.
import type { PanelSpec } from './channels';

export interface ChannelInfo {
  name: string;
  unit: string;
}

/** Panel order and presentation per unit (units as sim/system writes them). */
const GROUPS: { unit: string; title: string; axisUnit: string; scale?: number }[] = [
  { unit: 'V', title: 'Voltage', axisUnit: 'V' },
  { unit: 'A', title: 'Current', axisUnit: 'A' },
  { unit: '1', title: 'SOC', axisUnit: '%', scale: 100 },
  { unit: 'degC', title: 'Temperature', axisUnit: '°C' },
  { unit: 'K/s', title: 'Heating rate', axisUnit: 'K/s' },
  { unit: 'W', title: 'Power', axisUnit: 'kW', scale: 1e-3 },
  { unit: 'ppm', title: 'Gas', axisUnit: 'ppm' },
];

/** At most this many temperature channels of single cells / modules are drawn by default. */
export const MAX_DEFAULT_UNIT_TEMPS = 4;
export const MAX_DEFAULT_SENSORS = 4;
/** The picker refuses more than this many channels at once (each is a Plotly trace). */
export const MAX_SELECTED_CHANNELS = 24;

const pathOf = (name: string) => name.slice(0, name.lastIndexOf('.'));
const signalOf = (name: string) => name.slice(name.lastIndexOf('.') + 1);
const depth = (name: string) => pathOf(name).split('/').length;

/**
 * The channels drawn when a v2 run opens: the battery's voltage / current / SOC / power (the
 * shallowest asset that has them, i.e. the pack or the cell), its maximum temperature, the
 * chamber / ambient / container air, up to four temperature sensors, HVAC and site power, gas,
 * the temperature (and heating rate) of single cells or modules when there are only a few, and of
 * a container's hot-spot cells (their modules' sensors first).
 * `heatTargets`: the heat map's asset paths (their `.temp_C` are per-unit temperatures).
 */
export function defaultSystemChannels(channels: readonly ChannelInfo[], heatTargets: readonly string[] = []): string[] {
  const names = channels.map((c) => c.name).filter((n) => n !== 'time_s' && n.includes('.'));
  const heat = new Set(heatTargets);
  const out: string[] = [];
  const add = (n: string | undefined) => n && !out.includes(n) && out.push(n);
  const shallowest = (signal: string) =>
    names.filter((n) => signalOf(n) === signal).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))[0];
  for (const sig of ['voltage_V', 'current_A', 'soc', 'power_W']) {
    const n = shallowest(sig);
    // a power_W channel of the HVAC is not the battery's
    if (n && !n.endsWith('/hvac.power_W')) add(n);
  }
  names.filter((n) => signalOf(n) === 'temp_max_C').forEach(add);
  const unitTemps = names.filter((n) => signalOf(n) === 'temp_C' && heat.has(pathOf(n)));
  names
    .filter((n) => signalOf(n) === 'temp_C' && !heat.has(pathOf(n)) && !pathOf(n).endsWith('/tsensor'))
    .filter((n) => !/\/(module|cell)[^/]*$/.test(pathOf(n)) || unitTemps.length === 0)
    .forEach(add);
  // hot-spot cells of a container (the heat map shows modules; a heat fault singled these out),
  // and their modules' sensors before the others
  const hot =
    heat.size > 0 && [...heat].every((t) => /\/module[^/]*$/.test(t))
      ? names.filter((n) => signalOf(n) === 'temp_C' && /\/cell[^/]*$/.test(pathOf(n))).slice(0, MAX_DEFAULT_UNIT_TEMPS)
      : [];
  const hotModules = hot.map((n) => pathOf(n).slice(0, pathOf(n).lastIndexOf('/')));
  const sensors = names.filter((n) => pathOf(n).endsWith('/tsensor'));
  const isHotSensor = (n: string) => hotModules.includes(pathOf(n).slice(0, -'/tsensor'.length));
  [...sensors.filter(isHotSensor), ...sensors.filter((n) => !isHotSensor(n))].slice(0, MAX_DEFAULT_SENSORS).forEach(add);
  if (unitTemps.length <= MAX_DEFAULT_UNIT_TEMPS) unitTemps.forEach(add);
  hot.forEach(add);
  const rates = names.filter((n) => signalOf(n) === 'dTdt_K_per_s');
  if (rates.length <= 2) rates.forEach(add);
  names.filter((n) => /\/hvac\.(power|cooling)_W$/.test(n) || /\.(load|grid|aux)_W$/.test(n)).forEach(add);
  names.filter((n) => signalOf(n) === 'ppm').slice(0, 2).forEach(add);
  return out;
}

/** The asset-path prefix ("site1/container1/") shared by all names, to shorten legend labels. */
export function commonPathPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  const split = names.map((n) => pathOf(n).split('/'));
  let k = 0;
  while (split.every((p) => k < p.length - 1 && p[k] === split[0][k])) k++;
  return k ? split[0].slice(0, k).join('/') + '/' : '';
}

/** Stacked panels (one per unit, in a fixed order) for the chosen channels. Labels drop the
 * path prefix every chosen channel shares. */
export function systemPanels(channels: readonly ChannelInfo[], selected: readonly string[]): PanelSpec[] {
  const unitOf = new Map(channels.map((c) => [c.name, c.unit]));
  const chosen = selected.filter((n) => unitOf.has(n));
  const prefix = commonPathPrefix(chosen);
  const label = (n: string) => (prefix && n.startsWith(prefix) ? n.slice(prefix.length) : n);
  const panels: PanelSpec[] = [];
  for (const g of GROUPS) {
    const inGroup = chosen.filter((n) => unitOf.get(n) === g.unit);
    if (inGroup.length) panels.push({ title: g.title, unit: g.axisUnit, channels: inGroup.map((n) => ({ name: n, label: label(n), scale: g.scale })) });
  }
  const known = new Set(GROUPS.map((g) => g.unit));
  const others = [...new Set(chosen.map((n) => unitOf.get(n)!).filter((u) => !known.has(u)))];
  for (const u of others) {
    panels.push({ title: u, unit: u, channels: chosen.filter((n) => unitOf.get(n) === u).map((n) => ({ name: n, label: label(n) })) });
  }
  return panels;
}
