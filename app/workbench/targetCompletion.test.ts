import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { targetCompletion } from './targetCompletion';

const text = readFileSync(fileURLToPath(new URL('../../scenarios/stuck-sensor-hot-spot.json', import.meta.url)), 'utf8');
const at = (needle: string, delta = 1) => text.indexOf(needle) + delta;

describe('target and signal completion', () => {
  it('offers the asset paths of the scenario in a "target" string', () => {
    const c = targetCompletion(text, at('"site1/container1/rack03/module07/busbar"'));
    expect(c?.kind).toBe('target');
    expect(c?.items).toContain('site1/container1/hvac');
    expect(c?.items).toContain('site1/container1/rack03/module07/tsensor');
    expect(c?.items.indexOf('site1/container1/hvac')).toBeLessThan(c!.items.indexOf('site1/container1/rack01/module01/cell01'));
  });
  it('offers signal names in a criterion', () => {
    const c = targetCompletion(text, at('"no alarm OT_*'));
    expect(c?.kind).toBe('signal');
    expect(c?.items).toContain('site1/container1/air.temp_C');
    expect(c?.items).toContain('site1/container1/rack03/module07/tsensor.temp_C');
  });
  it('nothing elsewhere, nothing for version 1 or unfinished assets', () => {
    expect(targetCompletion(text, at('"Stuck temperature'))).toBeNull();
    expect(targetCompletion('{"name": "x", "target": "a"}', 22)).toBeNull();
    expect(targetCompletion('{"version": 2, "assets": {"a": {"type": "pack"}}, "faults": [{"target": ""}]}', 71)).toBeNull();
  });
});
