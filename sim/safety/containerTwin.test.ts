import { describe, it, expect } from 'vitest';
import { createContainerTwin, stepContainerTwin, runawayList } from './containerTwin';
import { startIscResistance } from './runaway';
import { getRunawaySet } from './runawaySets';
import { samsung94AhParams } from '../thermal/cell94Ah';
import { container40ft } from '../thermal/container';
import { CellParamsSchema } from '../battery/params';

const params = CellParamsSchema.parse(samsung94AhParams());

describe('container twin facade (pack + container + chemistry + BMS)', () => {
  it('rejects a container that does not hold the pack', () => {
    expect(() =>
      createContainerTwin({ params, pack: { series: 4, parallel: 2 }, container: container40ft({ nodes: 4, cells: 4 }), runawaySet: getRunawaySet('CAI19'), init: { soc: 0.5, tempC: 25, ambientC: 25 }, seed: 1 }),
    ).toThrow(/holds 4 x 1 = 4 cells but the pack has 8/);
  });
  it('an internal short in one cell: BMS trips, load removed, the cell runs away, its events are on the timeline', () => {
    const tw = createContainerTwin({
      params,
      pack: { series: 4, parallel: 2 },
      container: container40ft({ nodes: 8, cells: 8 }),
      runawaySet: getRunawaySet('CAI19'),
      init: { soc: 0.9, tempC: 25, ambientC: 30 },
      seed: 1,
    });
    // 94 Ah cell: 20 mOhm short -> about 800 W
    startIscResistance(tw.chem, 5, 0.02);
    for (let k = 0; k < 3600; k++) stepContainerTwin(tw, 47, 1);
    const codes = tw.events.map((e) => e.code);
    expect(codes).toContain('OT_WARN');
    expect(codes).toContain('EMERGENCY_SHUTOFF');
    expect(codes).toContain('CELL_ISC');
    expect(tw.currentA).toBe(0);
    const ra = runawayList(tw);
    expect(ra.length).toBeGreaterThanOrEqual(1);
    expect(ra[0].target).toBe('container1/cell[5]');
    // the timeline is in time order within each source; trip precedes the onset
    const trip = tw.events.find((e) => e.code === 'EMERGENCY_SHUTOFF')!;
    expect(trip.t_s).toBeLessThan(ra[0].t_s);
    expect(Number.isFinite(tw.container.maxNodeC)).toBe(true);
  });
  it('quiet operation: no events, temperatures near the start', () => {
    const tw = createContainerTwin({
      params,
      pack: { series: 4, parallel: 2 },
      container: container40ft({ nodes: 2, cells: 8 }),
      runawaySet: getRunawaySet('CAI19'),
      init: { soc: 0.5, tempC: 25, ambientC: 25 },
      seed: 1,
    });
    for (let k = 0; k < 600; k++) stepContainerTwin(tw, 47, 1);
    expect(tw.events).toHaveLength(0);
    expect(tw.container.maxNodeC).toBeLessThan(26);
  });
});
