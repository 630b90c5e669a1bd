import { describe, expect, it } from 'vitest';
import { commonPathPrefix, defaultSystemChannels, systemPanels, type ChannelInfo } from './systemChannels';

const ch = (name: string, unit: string): ChannelInfo => ({ name, unit });

describe('defaultSystemChannels', () => {
  it('oven: chamber and ambient, the cell temperature and its heating rate', () => {
    const channels = [
      ch('time_s', 's'),
      ch('ambient.temp_C', 'degC'),
      ch('oven.temp_C', 'degC'),
      ch('oven/cell.temp_max_C', 'degC'),
      ch('oven/cell.temp_C', 'degC'),
      ch('oven/cell.dTdt_K_per_s', 'K/s'),
    ];
    expect(defaultSystemChannels(channels, ['oven/cell'])).toEqual([
      'oven/cell.temp_max_C',
      'ambient.temp_C',
      'oven.temp_C',
      'oven/cell.temp_C',
      'oven/cell.dTdt_K_per_s',
    ]);
  });

  it('container: pack signals, air, sensors (at most 4), HVAC and gas; not 40 module temperatures', () => {
    const c = 'site1/container1';
    const channels = [
      ch('time_s', 's'),
      ch('ambient.temp_C', 'degC'),
      ch(`${c}.voltage_V`, 'V'),
      ch(`${c}.current_A`, 'A'),
      ch(`${c}.power_W`, 'W'),
      ch(`${c}.soc`, '1'),
      ch(`${c}.temp_max_C`, 'degC'),
      ch(`${c}/air.temp_C`, 'degC'),
      ch(`${c}/hvac.power_W`, 'W'),
      ch(`${c}/hvac.cooling_W`, 'W'),
      ch(`${c}/gasDetector.ppm`, 'ppm'),
    ];
    const modules: string[] = [];
    for (let m = 1; m <= 40; m++) {
      const p = `${c}/rack01/module${String(m).padStart(2, '0')}`;
      modules.push(p);
      channels.push(ch(`${p}.temp_C`, 'degC'), ch(`${p}/tsensor.temp_C`, 'degC'));
    }
    const d = defaultSystemChannels(channels, modules);
    expect(d.slice(0, 7)).toEqual([`${c}.voltage_V`, `${c}.current_A`, `${c}.soc`, `${c}.power_W`, `${c}.temp_max_C`, 'ambient.temp_C', `${c}/air.temp_C`]);
    expect(d.filter((n) => n.endsWith('/tsensor.temp_C'))).toHaveLength(4);
    expect(d.filter((n) => /module\d+\.temp_C$/.test(n))).toHaveLength(0);
    expect(d).toContain(`${c}/hvac.power_W`);
    expect(d).toContain(`${c}/hvac.cooling_W`);
    expect(d).toContain(`${c}/gasDetector.ppm`);
    // a hot-spot cell (singled out by a heat fault) is drawn with its heating rate
    const hot = `${c}/rack01/module07/cell05`;
    const withHot = defaultSystemChannels([...channels, ch(`${hot}.temp_C`, 'degC'), ch(`${hot}.dTdt_K_per_s`, 'K/s')], modules);
    expect(withHot).toContain(`${hot}.temp_C`);
    expect(withHot).toContain(`${hot}.dTdt_K_per_s`);
    // ... and its module's sensor comes first among the four
    expect(withHot.filter((n) => n.endsWith('/tsensor.temp_C'))[0]).toBe(`${c}/rack01/module07/tsensor.temp_C`);
  });
});

describe('systemPanels', () => {
  it('groups by unit in a fixed order, scales SOC to % and W to kW, keeps unknown units', () => {
    const channels = [ch('p.voltage_V', 'V'), ch('p.soc', '1'), ch('p.power_W', 'W'), ch('p.temp_C', 'degC'), ch('x.flow', 'kg/s')];
    const panels = systemPanels(channels, ['x.flow', 'p.power_W', 'p.temp_C', 'p.soc', 'p.voltage_V', 'missing.V']);
    expect(panels.map((p) => [p.title, p.unit, p.channels.map((c) => c.name)])).toEqual([
      ['Voltage', 'V', ['p.voltage_V']],
      ['SOC', '%', ['p.soc']],
      ['Temperature', '°C', ['p.temp_C']],
      ['Power', 'kW', ['p.power_W']],
      ['kg/s', 'kg/s', ['x.flow']],
    ]);
    expect(panels[1].channels[0].scale).toBe(100);
    expect(panels[3].channels[0].scale).toBe(1e-3);
  });
});

describe('legend labels', () => {
  it('drop the asset path prefix all chosen channels share', () => {
    expect(commonPathPrefix(['site1/container1.voltage_V', 'site1/container1/air.temp_C'])).toBe('site1/');
    expect(commonPathPrefix(['s/c/rack01/m1.temp_C', 's/c/rack01/m2.temp_C', 's/c/air.temp_C'])).toBe('s/c/');
    expect(commonPathPrefix(['ambient.temp_C', 'oven/cell.temp_C'])).toBe('');
    expect(commonPathPrefix(['a/b.x'])).toBe('');
    const panels = systemPanels([ch('s/c/air.temp_C', 'degC'), ch('s/c/r/m1.temp_C', 'degC')], ['s/c/air.temp_C', 's/c/r/m1.temp_C']);
    expect(panels[0].channels.map((c) => c.label)).toEqual(['air.temp_C', 'r/m1.temp_C']);
  });
});
