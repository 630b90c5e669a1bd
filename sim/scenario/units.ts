/**
 * Quantities with their units written out ("45 degC", "30 kW", "0.5C", "10 min", "3 mm"), checked
 * against the dimension a field expects and converted to the engine's units (SI, except
 * temperatures in degC, C-rates as 1/h multiples of capacity, capacities in Ah).
 *
 * A field of the scenario language keeps the text as written (the hash is of what the author wrote);
 * `parseQuantity` is called by the schema (to report errors at the field's path) and by the compiler.
 * A bare number is accepted only where the dimension is dimensionless (fraction, ratio, count).
 */

export type Dim =
  | 'temperature'
  | 'temperatureDelta'
  | 'temperatureRate'
  | 'power'
  | 'energy'
  | 'current'
  | 'crate'
  | 'voltage'
  | 'time'
  | 'length'
  | 'resistance'
  | 'heatTransfer'
  | 'thermalConductance'
  | 'heatCapacity'
  | 'capacity'
  | 'concentration'
  | 'fraction'
  | 'ratio';

/** What each dimension is called in messages, with an example. */
export const DIM_INFO: Record<Dim, { name: string; example: string; si: string }> = {
  temperature: { name: 'a temperature', example: '45 degC', si: 'degC' },
  temperatureDelta: { name: 'a temperature difference', example: '2 K', si: 'K' },
  temperatureRate: { name: 'a temperature rate', example: '0.02 K/min', si: 'K/s' },
  power: { name: 'a power', example: '30 kW', si: 'W' },
  energy: { name: 'an energy', example: '2.77 MWh', si: 'J' },
  current: { name: 'a current', example: '2 A', si: 'A' },
  crate: { name: 'a C-rate', example: '0.5C', si: '1/h' },
  voltage: { name: 'a voltage', example: '4.2 V', si: 'V' },
  time: { name: 'a duration', example: '10 min', si: 's' },
  length: { name: 'a length', example: '3 mm', si: 'm' },
  resistance: { name: 'a resistance', example: '10 mOhm', si: 'Ohm' },
  heatTransfer: { name: 'a heat transfer coefficient', example: '7.17 W/m2K', si: 'W/(m2 K)' },
  thermalConductance: { name: 'a thermal conductance', example: '0.5 W/K', si: 'W/K' },
  heatCapacity: { name: 'a heat capacity', example: '16.8 MJ/K', si: 'J/K' },
  capacity: { name: 'a charge capacity', example: '94 Ah', si: 'Ah' },
  concentration: { name: 'a gas concentration', example: '50 ppm', si: 'ppm' },
  fraction: { name: 'a fraction', example: '50 %', si: '1' },
  ratio: { name: 'a number', example: '3', si: '1' },
};

interface UnitDef {
  dim: Dim;
  scale: number;
  offset?: number;
}

const U: Record<string, UnitDef> = {};
const def = (dim: Dim, scale: number, names: string[], offset?: number) => {
  for (const n of names) U[n] = { dim, scale, offset };
};
def('temperature', 1, ['degC', '°C', 'celsius']);
def('temperature', 1, ['K', 'kelvin'], -273.15);
def('temperature', 5 / 9, ['degF', '°F'], -32 * (5 / 9));
def('temperatureRate', 1, ['K/s', 'degC/s']);
def('temperatureRate', 1 / 60, ['K/min', 'degC/min']);
def('temperatureRate', 1 / 3600, ['K/h', 'degC/h']);
def('power', 1, ['W']);
def('power', 1e-3, ['mW']);
def('power', 1e3, ['kW']);
def('power', 1e6, ['MW']);
def('energy', 1, ['J']);
def('energy', 1e3, ['kJ']);
def('energy', 1e6, ['MJ']);
def('energy', 3600, ['Wh']);
def('energy', 3.6e6, ['kWh']);
def('energy', 3.6e9, ['MWh']);
def('current', 1, ['A']);
def('current', 1e-3, ['mA']);
def('current', 1e3, ['kA']);
def('crate', 1, ['C']);
def('voltage', 1, ['V']);
def('voltage', 1e-3, ['mV']);
def('voltage', 1e3, ['kV']);
def('time', 1, ['s', 'sec', 'secs', 'second', 'seconds']);
def('time', 1e-3, ['ms']);
def('time', 60, ['min', 'mins', 'minute', 'minutes']);
def('time', 3600, ['h', 'hr', 'hrs', 'hour', 'hours']);
def('time', 86400, ['d', 'day', 'days']);
def('length', 1, ['m']);
def('length', 1e-2, ['cm']);
def('length', 1e-3, ['mm']);
def('length', 1e-6, ['um', 'µm']);
def('resistance', 1, ['Ohm', 'ohm', 'Ω']);
def('resistance', 1e-3, ['mOhm', 'mohm', 'mΩ']);
def('resistance', 1e-6, ['uOhm', 'µOhm', 'µΩ']);
def('resistance', 1e3, ['kOhm', 'kΩ']);
def('heatTransfer', 1, ['W/m2K', 'W/(m2 K)', 'W/(m2K)', 'W/m2/K', 'W/m^2K', 'W/(m^2 K)']);
def('thermalConductance', 1, ['W/K']);
def('thermalConductance', 1e3, ['kW/K']);
def('heatCapacity', 1, ['J/K']);
def('heatCapacity', 1e3, ['kJ/K']);
def('heatCapacity', 1e6, ['MJ/K']);
def('capacity', 1, ['Ah']);
def('capacity', 1e-3, ['mAh']);
def('concentration', 1, ['ppm']);
def('fraction', 0.01, ['%']);

/** Units that mean something else in another dimension (K: temperature or difference). */
function candidates(unit: string): UnitDef[] {
  const out: UnitDef[] = [];
  const push = (d: UnitDef | undefined) => d && out.push(d);
  push(U[unit]);
  // second meanings
  if (unit === 'K' || unit === 'kelvin') out.push({ dim: 'temperatureDelta', scale: 1 });
  if (unit === 'degC' || unit === '°C') out.push({ dim: 'temperatureDelta', scale: 1 });
  return out;
}

export type QuantityResult = { ok: true; value: number; dim: Dim } | { ok: false; message: string };

const NUM = /^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$/;

/** Every dimension a unit text can have (for messages like "'45 kW' is a power"). */
export function dimsOfUnit(unit: string): Dim[] {
  return candidates(unit).map((d) => d.dim);
}

export function unitsOf(dim: Dim): string[] {
  return Object.entries(U)
    .filter(([, d]) => d.dim === dim)
    .map(([n]) => n);
}

/**
 * Parse a quantity for one of the allowed dimensions. Numbers are accepted as-is only for
 * dimensionless dimensions. "C/20" is a C-rate of 1/20.
 */
export function parseQuantity(input: unknown, allowed: Dim | readonly Dim[]): QuantityResult {
  const dims: readonly Dim[] = typeof allowed === 'string' ? [allowed] : allowed;
  const want = dims.map((d) => `${DIM_INFO[d].name} (e.g. '${DIM_INFO[d].example}')`).join(' or ');
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, message: `expected ${want}, got a non-finite number` };
    const dl = dims.find((d) => d === 'ratio' || d === 'fraction');
    if (dl) return { ok: true, value: input, dim: dl };
    return { ok: false, message: `write the unit: expected ${want}, got the bare number ${input}` };
  }
  if (typeof input !== 'string') return { ok: false, message: `expected ${want}, got ${input === null ? 'null' : typeof input}` };
  const s = input.trim();
  const cm = /^C\s*\/\s*(\d+(?:\.\d*)?)$/.exec(s);
  if (cm) {
    if (!dims.includes('crate')) return { ok: false, message: `'${s}' is a C-rate, expected ${want}` };
    const d = Number(cm[1]);
    if (!(d > 0)) return { ok: false, message: `'${s}': the divisor must be > 0` };
    return { ok: true, value: 1 / d, dim: 'crate' };
  }
  const m = NUM.exec(s);
  if (!m) return { ok: false, message: `expected ${want}, got '${s}' (a number followed by a unit)` };
  const v = Number(m[1]);
  const unit = m[2];
  if (!Number.isFinite(v)) return { ok: false, message: `'${s}' is not a finite number` };
  if (!unit) {
    const dl = dims.find((d) => d === 'ratio' || d === 'fraction');
    if (dl) return { ok: true, value: v, dim: dl };
    return { ok: false, message: `missing unit in '${s}': expected ${want}` };
  }
  if (unit === 'C' && !dims.includes('crate') && dims.includes('temperature'))
    return { ok: false, message: `'${s}': write degC for a temperature ('C' is a C-rate)` };
  const cs = candidates(unit);
  if (cs.length === 0) {
    const all = dims.flatMap(unitsOf);
    return { ok: false, message: `unknown unit '${unit}' in '${s}': expected ${want}; units: ${[...new Set(all)].join(', ')}` };
  }
  const hit = cs.find((c) => dims.includes(c.dim));
  if (!hit) return { ok: false, message: `'${s}' is ${DIM_INFO[cs[0].dim].name}, expected ${want}` };
  return { ok: true, value: v * hit.scale + (hit.offset ?? 0), dim: hit.dim };
}

/** parseQuantity that throws (for compiled, already validated scenarios). */
export function quantity(input: unknown, allowed: Dim | readonly Dim[]): number {
  const r = parseQuantity(input, allowed);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
